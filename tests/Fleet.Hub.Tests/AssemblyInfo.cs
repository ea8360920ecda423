namespace Fleet.Hub.Tests;
