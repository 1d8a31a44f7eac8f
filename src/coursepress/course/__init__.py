"""The course itself: its schedule from data, the calendar students subscribe to."""
