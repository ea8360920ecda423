namespace Fleet.Cli.Tests;
