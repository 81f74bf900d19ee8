from certcredit.cli import main

main()
