namespace Fleet.Device.Update;

/// <summary>What the agent must do about an update when it starts, decided from the journal, boot.json and
/// fleet-boot's rollback record.</summary>
public enum StartupStep
{
    /// <summary>No update under way.</summary>
    Nothing,

    /// <summary>Offered or downloading: fetch the missing chunks (the bitmap says which).</summary>
    ResumeDownload,

    /// <summary>The slot is staged but was never activated: activate and restart.</summary>
    ResumeActivation,

    /// <summary>This start is a trial of the new slot: run the health check, then commit or roll back.</summary>
    HealthCheck,

    /// <summary>The trial was given up (by fleet-boot or a failed check): report rolled_back with the reason.</summary>
    ReportRolledBack,

    /// <summary>The commit reached boot.json but not the journal before a crash: report committed.</summary>
    ReportCommitted,
}
