"""Command-line front ends, one module per subcommand (the console script is tui.cli.main:main). Nothing imports this package."""
