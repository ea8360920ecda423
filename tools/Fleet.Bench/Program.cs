using Fleet.Bench;
using Fleet.Bench.Scenarios;

IBenchScenario[] scenarios = [new BundleScenario(), new BundleStepScenario(), new OtaScenario(), new Fleet.Bench.Load.LoadScenario(), new Fleet.Bench.Load.FloodScenario()];

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: Fleet.Bench SCENARIO [options]");
    foreach (var s in scenarios)
    {
        Console.WriteLine($"  {s.Name,-10} {s.Description}");
    }

    return args.Length == 0 ? 1 : 0;
}

var scenario = scenarios.FirstOrDefault(s => s.Name == args[0]);
if (scenario is null)
{
    Console.Error.WriteLine($"Fleet.Bench: unknown scenario '{args[0]}'; one of: {string.Join(", ", scenarios.Select(s => s.Name))}");
    return 1;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await scenario.RunAsync(args[1..], cancel.Token);
