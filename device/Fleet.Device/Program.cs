// `--version` prints the version `fleet firmware build` stamped in and exits: proof that a built slot runs.
if (args.Contains("--version"))
{
    Console.WriteLine(System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(typeof(Program).Assembly)?.InformationalVersion);
    return 0;
}

var builder = Host.CreateApplicationBuilder(args);
builder.Build().Run();
return 0;
