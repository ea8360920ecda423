using Prometheus;

namespace Fleet.Hub.Hosting;

/// <summary>What /metrics exposes for operators.</summary>
internal static class HubMetrics
{
    public static readonly Gauge ConnectedDevices = Metrics.CreateGauge("fleet_devices_connected", "Devices connected to the MQTT broker now.");

    public static readonly Counter MessagesIn = Metrics.CreateCounter("fleet_mqtt_messages_in_total", "MQTT messages received from devices.",
        new CounterConfiguration { LabelNames = ["kind"] });

    public static readonly Counter MessagesDropped = Metrics.CreateCounter("fleet_mqtt_messages_dropped_total", "Device messages dropped: malformed, duplicate or refused.",
        new CounterConfiguration { LabelNames = ["reason"] });

    public static readonly Counter MessagesThrottled = Metrics.CreateCounter("fleet_mqtt_messages_throttled_total", "Device publishes held back because the device was over its rate for the kind.",
        new CounterConfiguration { LabelNames = ["kind"] });

    public static readonly Counter Uploads = Metrics.CreateCounter("fleet_firmware_uploads_total", "Firmware uploads by result (stored or the refusal's name).",
        new CounterConfiguration { LabelNames = ["result"] });

    public static readonly Counter TelemetryBatchesHandled = Metrics.CreateCounter("fleet_telemetry_batches_handled_total", "Telemetry batches the ingest finished with (stored, or dropped as duplicate or unknown).");
    public static readonly Counter HealthSummariesStored = Metrics.CreateCounter("fleet_health_summaries_stored_total", "Device health summaries written to the database.");
    public static readonly Counter TelemetryReadingsStored = Metrics.CreateCounter("fleet_telemetry_readings_stored_total", "Telemetry readings written to the database.");

    /// <summary>End-to-end lag of each stored reading: commit time minus the reading's own timestamp (the device's
    /// clock), so it covers the device's send, the broker, the ingest queue and the database write.</summary>
    public static readonly Histogram TelemetryIngestLag = Metrics.CreateHistogram("fleet_telemetry_ingest_lag_seconds",
        "Seconds from a reading's timestamp to its commit in the database.",
        new HistogramConfiguration { Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 300] });

    public static readonly Counter ConnectionsRefused = Metrics.CreateCounter("fleet_mqtt_connections_refused_total", "MQTT connections refused, by reason.",
        new CounterConfiguration { LabelNames = ["reason"] });
}
