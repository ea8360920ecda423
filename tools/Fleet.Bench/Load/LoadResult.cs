namespace Fleet.Bench.Load;

/// <summary>One broker mode's figures from <see cref="LoadScenario"/>.</summary>
internal sealed record LoadResult(
    string Mode,
    int Devices,
    double ConnectsPerSecond,
    double ConnectP50Ms,
    double ConnectP99Ms,
    int ConnectFailures,
    double HubRssPerConnectionKib,
    double BrokerRssPerConnectionKib,
    double IdleCpuPercent,
    double ReadingsPerSecond,
    double DrainLagMs,
    double LagP50Ms,
    double LagP99Ms,
    double HubPeakRssMib,
    FanoutFigures Fanout);
