from cobranza.entry.cli import main

main()
