namespace Fleet.Bench;

/// <summary>One benchmark scenario, chosen by name on the command line (<c>Fleet.Bench NAME [options]</c>).
/// Load scenarios (many simulated devices against a hub) are added as further implementations.</summary>
internal interface IBenchScenario
{
    string Name { get; }

    string Description { get; }

    /// <summary>Runs and prints its figures; returns the exit code.</summary>
    Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken);
}
