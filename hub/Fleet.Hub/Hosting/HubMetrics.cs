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

    public static readonly Counter Uploads = Metrics.CreateCounter("fleet_firmware_uploads_total", "Firmware uploads by result (stored or the refusal's name).",
        new CounterConfiguration { LabelNames = ["result"] });

    public static readonly Counter TelemetryBatchesHandled = Metrics.CreateCounter("fleet_telemetry_batches_handled_total", "Telemetry batches the ingest finished with (stored, or dropped as duplicate or unknown).");
    public static readonly Counter TelemetryReadingsStored = Metrics.CreateCounter("fleet_telemetry_readings_stored_total", "Telemetry readings written to the database.");

    public static readonly Counter ConnectionsRefused = Metrics.CreateCounter("fleet_mqtt_connections_refused_total", "MQTT connections refused, by reason.",
        new CounterConfiguration { LabelNames = ["reason"] });
}
