namespace Fleet.Device.Update;

/// <summary>What the update flow needs from the agent that runs it: the transport for chunks, the trial's health
/// check, the reports to the hub and the restart into fleet-boot.</summary>
public interface IUpdateHost
{
    /// <summary>The chunk source for the firmware <paramref name="record"/> names, open until the download step ends.</summary>
    IChunkSource OpenChunks(UpdateRecord record);

    void CloseChunks();

    /// <summary>Receives the download's progress (the host decides how often to report it).</summary>
    IProgress<DownloadProgress>? Progress(UpdateRecord record);

    /// <summary>Waits until this trial start is healthy: null, or what is missing.</summary>
    Task<string?> CheckTrialAsync(CancellationToken ct);

    void Report(string stage, UpdateRecord record, double? progress = null, string? reason = null, string? detail = null);

    /// <summary>Lets the reports reach the hub, then ends the process.</summary>
    Task RestartAsync();
}
