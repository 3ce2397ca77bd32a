from khepri_cli.cli.main import main

main()
