namespace Fleet.Device.Tests;
