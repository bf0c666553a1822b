from caredesk.cli.main import main

main()
