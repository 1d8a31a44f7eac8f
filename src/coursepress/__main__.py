from coursepress.cli import main

main()
