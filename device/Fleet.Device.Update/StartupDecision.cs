namespace Fleet.Device.Update;

/// <summary>What a start means for the update under way, after <see cref="UpdateEngine.OnStartup"/> squared the
/// journal with boot.json and fleet-boot's rollback record: the step to resume (<see cref="UpdateStep.None"/> when
/// nothing is under way) and the stage to report now (a final outcome said again, or one this start found).</summary>
public sealed record StartupDecision(UpdateRecord Record, UpdateStep Resume, string? Report)
{
    public string? Reason => Record.Reason;
}
