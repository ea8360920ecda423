namespace Fleet.Hub.Components.Shared;

/// <summary>One downsampled slot of a sensor series: the band min..max and the mean line.</summary>
public sealed record ChartPoint(DateTimeOffset At, double Min, double Avg, double Max);
