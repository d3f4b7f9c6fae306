from briefgen.cli import console_main

console_main()
