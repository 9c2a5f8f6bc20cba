from cobranza.cli import main

main()
