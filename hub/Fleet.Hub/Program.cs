using Fleet.Hub.Hosting;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(HubCommandLine.Usage);
    return 0;
}

if (HubCommandLine.FindUnknown(args) is { } unknown)
{
    Console.Error.WriteLine($"Fleet.Hub: unknown argument '{unknown}'.\n{HubCommandLine.Usage}");
    return 2;
}

try
{
    // Content root = the program's folder, so the UI's static files are found whatever the working directory.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
    var options = builder.AddHub(args);
    var app = builder.Build();
    app.MapHub(options);
    await app.PrepareAsync(options);
    await app.StartAsync();
    Console.WriteLine($"Fleet hub ready: https://{options.Bind}:{options.HttpPort} mqtts://{options.Bind}:{options.MqttPort} data {options.FullDataDir}");
    await app.WaitForShutdownAsync();
    return 0;
}
catch (HubStartFailure failure)
{
    Console.Error.WriteLine($"Fleet.Hub: {failure.Message}");
    return 2;
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
{
    // A port in use, an unwritable data dir: say which, without a stack trace.
    Console.Error.WriteLine($"Fleet.Hub: cannot start: {ex.Message} (check --data-dir, --http-port and --mqtt-port)");
    return 2;
}
