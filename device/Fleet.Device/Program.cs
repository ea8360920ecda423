using Fleet.Device;
using Fleet.Device.Configuration;
using Microsoft.Extensions.Hosting;

// `--version` prints the version `fleet firmware build` stamped in and exits: proof that a built slot runs.
if (args.Contains("--version"))
{
    Console.WriteLine(System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(typeof(Program).Assembly)?.InformationalVersion);
    return 0;
}

var options = AgentOptions.TryParse(args, out var error);
if (options is null)
{
    Console.Error.WriteLine($"Fleet.Device: {error}");
    return 2;
}

AgentProfile profile;
try
{
    profile = AgentProfileLoader.Load(options.Root);
}
catch (InvalidProfileException ex)
{
    Console.Error.WriteLine($"Fleet.Device: {ex.Message}");
    return 2;
}

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddSystemd();
try
{
    builder.Services.AddFleetAgent(options, profile);
}
catch (InvalidProfileException ex)
{
    // A simulation fault list the running firmware carries that the agent does not know.
    Console.Error.WriteLine($"Fleet.Device: {ex.Message}");
    return 2;
}

using var host = builder.Build();
await host.RunAsync();
return 0;
