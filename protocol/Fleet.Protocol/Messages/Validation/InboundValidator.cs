using System.Text.RegularExpressions;

namespace Fleet.Protocol.Messages.Validation;

/// <summary>Strict checks of what a device sends, beyond what the JSON shape guarantees (a record's non-nullable
/// list still deserializes as null when the field is missing). The hub drops and counts a message that fails, so it
/// never reaches a write shared with other devices. The same rules are published as JSON Schemas in
/// protocol/schemas and described in docs/protocol.md.</summary>
public static partial class InboundValidator
{
    /// <summary>Not JSON, or JSON that is not the message the topic carries.</summary>
    public const string Malformed = "malformed";
    public const string MissingField = "missing_field";
    public const string TooManyReadings = "too_many_readings";
    public const string BadSensor = "bad_sensor";
    public const string BadValue = "bad_value";
    public const string BadUnit = "bad_unit";
    public const string BadTimestamp = "bad_timestamp";
    public const string BadSequence = "bad_sequence";
    public const string TooLong = "too_long";

    /// <summary>An event kind a device may not send, or a name that is not one of its kind's names.</summary>
    public const string BadKind = "bad_kind";

    /// <summary>A name (tank state, event name, error code) with characters outside its pattern.</summary>
    public const string BadName = "bad_name";
    public const string BadSlot = "bad_slot";
    public const string BadFirmware = "bad_firmware";

    /// <summary>A command response without the 16-byte correlation data of the command it answers.</summary>
    public const string BadCorrelation = "bad_correlation";

    /// <summary>A chunk request with no indexes, a negative or repeated one, or more than a window.</summary>
    public const string BadIndexes = "bad_indexes";

    /// <summary>A chunk request for firmware the hub has not offered to that device (no update in flight for it).</summary>
    public const string NotOffered = "not_offered";

    /// <summary>A chunk request for an index beyond the offered firmware's chunks.</summary>
    public const string OutsideWindow = "outside_window";

    public static InboundCheck Check(TelemetryBatch? batch)
    {
        if (batch?.Readings is null)
        {
            return InboundCheck.Refuse(MissingField, "telemetry batch without 'readings'");
        }

        if (batch.Sequence < 0 || batch.Dropped < 0)
        {
            return InboundCheck.Refuse(BadSequence, $"telemetry batch with sequence {batch.Sequence} and dropped {batch.Dropped}; both must be 0 or more");
        }

        if (batch.Readings.Count > InboundLimits.MaxReadingsPerBatch)
        {
            return InboundCheck.Refuse(TooManyReadings, $"telemetry batch {batch.Sequence} holds {batch.Readings.Count} readings; at most {InboundLimits.MaxReadingsPerBatch}");
        }

        for (var i = 0; i < batch.Readings.Count; i++)
        {
            var check = Check(batch.Readings[i], i);
            if (!check.IsValid)
            {
                return check with { Message = $"telemetry batch {batch.Sequence}: {check.Message}" };
            }
        }

        return InboundCheck.Valid;
    }

    public static InboundCheck Check(DeviceEvent? e)
    {
        if (e?.Kind is null || e.Name is null)
        {
            return InboundCheck.Refuse(MissingField, "event without 'kind' or 'name'");
        }

        if (e.Kind.Length > InboundLimits.MaxEventNameLength || e.Name.Length > InboundLimits.MaxEventNameLength
            || (e.Detail?.Length ?? 0) > InboundLimits.MaxEventTextLength || (e.Reason?.Length ?? 0) > InboundLimits.MaxEventTextLength
            || (e.FirmwareUuid?.Length ?? 0) > InboundLimits.MaxFirmwareUuidLength || (e.FirmwareVersion?.Length ?? 0) > InboundLimits.MaxFirmwareVersionLength)
        {
            return InboundCheck.Refuse(TooLong, $"event '{Clip(e.Kind)}/{Clip(e.Name)}' has a field over its length limit (names {InboundLimits.MaxEventNameLength}, detail and reason {InboundLimits.MaxEventTextLength})");
        }

        if (!InboundLimits.DeviceEventKinds.Contains(e.Kind))
        {
            return InboundCheck.Refuse(BadKind, $"event kind '{Clip(e.Kind)}' is not one a device sends ({string.Join(", ", InboundLimits.DeviceEventKinds)})");
        }

        if (!IsName(e.Name) || (e.FirmwareVersion is not null && !IsName(e.FirmwareVersion)))
        {
            return InboundCheck.Refuse(BadName, $"event '{e.Kind}' has an empty name or version, or one with control characters");
        }

        if (e.Kind == EventKinds.Update && !UpdateStages.All.Contains(e.Name))
        {
            return InboundCheck.Refuse(BadKind, $"update event '{Clip(e.Name)}' is not an update stage ({string.Join(", ", UpdateStages.All)})");
        }

        if (e.FirmwareUuid is not null && !FirmwareUuid().IsMatch(e.FirmwareUuid))
        {
            return InboundCheck.Refuse(BadFirmware, $"event '{e.Kind}/{e.Name}' names the firmware uuid '{Clip(e.FirmwareUuid)}'; {UuidRule}");
        }

        if (e.Ts < InboundLimits.EarliestTimestamp || e.Ts >= InboundLimits.LatestTimestamp)
        {
            return InboundCheck.Refuse(BadTimestamp, $"event '{e.Kind}/{e.Name}' has the timestamp {e.Ts:O}; it must be between 2000 and 2200");
        }

        if (e.Progress is { } p && (!double.IsFinite(p) || p < 0 || p > 1))
        {
            return InboundCheck.Refuse(BadValue, $"event '{e.Kind}/{e.Name}' has progress {p}; it must be between 0 and 1");
        }

        return InboundCheck.Valid;
    }

    /// <summary>The retained status and its last will (<c>online:false</c>, everything else may be absent).</summary>
    public static InboundCheck Check(StatusMessage? status)
    {
        if (status is null)
        {
            return InboundCheck.Refuse(Malformed, "status that is not a JSON status");
        }

        if (status.Timestamp < InboundLimits.EarliestTimestamp || status.Timestamp >= InboundLimits.LatestTimestamp)
        {
            return InboundCheck.Refuse(BadTimestamp, $"status with the timestamp {status.Timestamp:O}; 'timestamp' is required and must be between 2000 and 2200");
        }

        if (status.UptimeSeconds < 0)
        {
            return InboundCheck.Refuse(BadValue, $"status with uptime {status.UptimeSeconds}; it must be 0 or more");
        }

        if (status.ActiveSlot is not null && !InboundLimits.Slots.Contains(status.ActiveSlot))
        {
            return InboundCheck.Refuse(BadSlot, $"status names the slot '{Clip(status.ActiveSlot)}'; a slot is one of {string.Join(", ", InboundLimits.Slots)}");
        }

        if (status.TankState is not null && !StateName().IsMatch(status.TankState))
        {
            return InboundCheck.Refuse(BadName, $"status names the tank state '{Clip(status.TankState)}'; a state is 1-{InboundLimits.MaxEventNameLength} of a-z, 0-9, '_', starting with a letter");
        }

        if (status.Firmware is { } f)
        {
            if (f.Uuid is null || f.Version is null)
            {
                return InboundCheck.Refuse(MissingField, "status firmware without 'uuid' or 'version'");
            }

            if (!FirmwareUuid().IsMatch(f.Uuid))
            {
                return InboundCheck.Refuse(BadFirmware, $"status names the firmware uuid '{Clip(f.Uuid)}'; {UuidRule}");
            }

            if (f.Version.Length > InboundLimits.MaxFirmwareVersionLength || (f.Product?.Length ?? 0) > InboundLimits.MaxFirmwareNameLength
                || (f.Platform?.Length ?? 0) > InboundLimits.MaxFirmwareNameLength || (f.Architecture?.Length ?? 0) > InboundLimits.MaxFirmwareNameLength)
            {
                return InboundCheck.Refuse(TooLong, $"status firmware with a version over {InboundLimits.MaxFirmwareVersionLength} or a name over {InboundLimits.MaxFirmwareNameLength} characters");
            }

            if (!IsName(f.Version) || (f.Product is not null && !IsName(f.Product)) || (f.Platform is not null && !IsName(f.Platform))
                || (f.Architecture is not null && !IsName(f.Architecture)))
            {
                return InboundCheck.Refuse(BadName, "status firmware with an empty version or name, or one with control characters");
            }
        }

        if (status.Trust is { } t && (t.Root < 0 || t.Targets < 0))
        {
            return InboundCheck.Refuse(BadValue, $"status trust versions root {t.Root} and targets {t.Targets}; both must be 0 or more");
        }

        return InboundCheck.Valid;
    }

    /// <summary>A <c>health</c> summary: every figure in its range, alarm and fault time within the window, at most
    /// <see cref="InboundLimits.MaxHealthSensors"/> distinct sensors, each with a state of <see cref="HealthStates"/>.</summary>
    public static InboundCheck Check(HealthSummary? h)
    {
        if (h?.Sensors is null || h.TankState is null || h.Control is null)
        {
            return InboundCheck.Refuse(MissingField, "health summary without 'sensors', 'tankState' or 'control'");
        }

        if (h.At < InboundLimits.EarliestTimestamp || h.At >= InboundLimits.LatestTimestamp)
        {
            return InboundCheck.Refuse(BadTimestamp, $"health summary with the time {h.At:O}; 'at' is required and must be between 2000 and 2200");
        }

        if (h.Firmware is not null && !FirmwareUuid().IsMatch(h.Firmware))
        {
            return InboundCheck.Refuse(BadFirmware, $"health summary names the firmware uuid '{Clip(h.Firmware)}'; {UuidRule}");
        }

        if (!StateName().IsMatch(h.TankState))
        {
            return InboundCheck.Refuse(BadName, $"health summary names the tank state '{Clip(h.TankState)}'; a state is 1-{InboundLimits.MaxEventNameLength} of a-z, 0-9, '_', starting with a letter");
        }

        if (h.Sensors.Count > InboundLimits.MaxHealthSensors)
        {
            return InboundCheck.Refuse(TooManyReadings, $"health summary for {h.Sensors.Count} sensors; at most {InboundLimits.MaxHealthSensors}");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in h.Sensors)
        {
            if (s?.Sensor is null || s.State is null)
            {
                return InboundCheck.Refuse(MissingField, "health summary with a sensor entry without 'sensor' or 'state'");
            }

            if (!SensorName().IsMatch(s.Sensor) || !seen.Add(s.Sensor))
            {
                return InboundCheck.Refuse(BadSensor, $"health summary names the sensor '{Clip(s.Sensor)}' twice or outside the pattern 1-{InboundLimits.MaxSensorNameLength} of a-z, 0-9, '_'");
            }

            if (!HealthStates.All.Contains(s.State))
            {
                return InboundCheck.Refuse(BadKind, $"health summary gives '{s.Sensor}' the state '{Clip(s.State)}'; a state is one of {string.Join(", ", HealthStates.All)}");
            }

            if (s.Detail is { } d && (d.Length > InboundLimits.MaxHealthDetailLength || d.Any(char.IsControl)))
            {
                return InboundCheck.Refuse(TooLong, $"health summary: the detail of '{s.Sensor}' is over {InboundLimits.MaxHealthDetailLength} characters or holds control characters");
            }
        }

        static bool Within(double v, double min, double max) => double.IsFinite(v) && v >= min && v <= max;
        static bool WithinOrNull(double? v, double min, double max) => v is not { } x || Within(x, min, max);
        var c = h.Control;
        var problem =
            !Within(h.WindowSeconds, 0, InboundLimits.MaxHealthWindowSeconds) ? $"windowSeconds {h.WindowSeconds} is outside 0..{InboundLimits.MaxHealthWindowSeconds}"
            : !Within(h.AlarmSeconds, 0, h.WindowSeconds) || !Within(h.FaultSeconds, 0, h.WindowSeconds) ? $"alarmSeconds {h.AlarmSeconds} and faultSeconds {h.FaultSeconds} must lie within 0..windowSeconds ({h.WindowSeconds})"
            : !WithinOrNull(c.WaterTemperatureError, 0, InboundLimits.MaxHealthWaterTemperatureError) ? $"waterTemperatureError {c.WaterTemperatureError} is outside 0..{InboundLimits.MaxHealthWaterTemperatureError}"
            : !WithinOrNull(c.PhInRange, 0, 1) ? $"phInRange {c.PhInRange} is outside 0..1"
            : !WithinOrNull(c.OxygenSwing, 0, InboundLimits.MaxHealthOxygenSwing) ? $"oxygenSwing {c.OxygenSwing} is outside 0..{InboundLimits.MaxHealthOxygenSwing}"
            : !WithinOrNull(c.TurbiditySlope, -InboundLimits.MaxHealthTurbiditySlope, InboundLimits.MaxHealthTurbiditySlope) ? $"turbiditySlope {c.TurbiditySlope} is outside ±{InboundLimits.MaxHealthTurbiditySlope}"
            : h.Restarts < 0 || h.Reconnects < 0 ? $"restarts {h.Restarts} and reconnects {h.Reconnects} must be 0 or more"
            : h.MemoryBytes < 0 || h.MemoryBytes > InboundLimits.MaxHealthMemoryBytes ? $"memoryBytes {h.MemoryBytes} is outside 0..{InboundLimits.MaxHealthMemoryBytes}"
            : null;
        return problem is null ? InboundCheck.Valid : InboundCheck.Refuse(BadValue, $"health summary: {problem}");
    }

    /// <summary>A reply on <c>resp</c>; <paramref name="correlationLength"/> is the length of its MQTT 5 correlation
    /// data (null when absent).</summary>
    public static InboundCheck Check(CommandResponse? response, int? correlationLength)
    {
        if (response is null)
        {
            return InboundCheck.Refuse(Malformed, "response that is not a JSON command response");
        }

        if (correlationLength != InboundLimits.CorrelationDataLength)
        {
            return InboundCheck.Refuse(BadCorrelation, $"response with {(correlationLength is { } n ? $"{n} bytes of" : "no")} correlation data; it must echo the command's {InboundLimits.CorrelationDataLength} bytes");
        }

        if ((response.Error?.Length ?? 0) > InboundLimits.MaxResponseErrorLength || (response.Detail?.Length ?? 0) > InboundLimits.MaxResponseDetailLength)
        {
            return InboundCheck.Refuse(TooLong, $"response with an error over {InboundLimits.MaxResponseErrorLength} or a detail over {InboundLimits.MaxResponseDetailLength} characters");
        }

        if (response.Error is not null && !IsName(response.Error))
        {
            return InboundCheck.Refuse(BadName, "response with an empty error code or one with control characters");
        }

        return InboundCheck.Valid;
    }

    /// <summary>The shape of a <c>fw/req</c>: a firmware uuid and 1 to <see cref="InboundLimits.MaxChunkIndexesPerRequest"/>
    /// distinct indexes of 0 or more. Whether the firmware is offered to the device is the hub's to check
    /// (<see cref="NotOffered"/>), against <see cref="CheckWindow"/>.</summary>
    public static InboundCheck Check(ChunkRequest? request)
    {
        if (request?.Uuid is null || request.Indexes is null)
        {
            return InboundCheck.Refuse(MissingField, "chunk request without 'uuid' or 'indexes'");
        }

        if (!FirmwareUuid().IsMatch(request.Uuid))
        {
            return InboundCheck.Refuse(BadFirmware, $"chunk request for the firmware uuid '{Clip(request.Uuid)}'; {UuidRule}");
        }

        if (request.Indexes.Count is 0 or > InboundLimits.MaxChunkIndexesPerRequest)
        {
            return InboundCheck.Refuse(BadIndexes, $"chunk request for {request.Indexes.Count} indexes; ask for 1 to {InboundLimits.MaxChunkIndexesPerRequest} at once");
        }

        if (request.Indexes.Any(i => i < 0) || request.Indexes.Distinct().Count() != request.Indexes.Count)
        {
            return InboundCheck.Refuse(BadIndexes, "chunk request with a negative or repeated index");
        }

        return InboundCheck.Valid;
    }

    /// <summary>Every index must lie within the offered firmware's chunks (<c>0 … chunkCount-1</c>, the
    /// <see cref="UpdateOffer.ChunkCount"/> the offer carried).</summary>
    public static InboundCheck CheckWindow(ChunkRequest request, int chunkCount)
    {
        var beyond = request.Indexes.Where(i => i >= chunkCount).Take(1).ToList();
        return beyond.Count == 0
            ? InboundCheck.Valid
            : InboundCheck.Refuse(OutsideWindow, $"chunk request for index {beyond[0]} of firmware {request.Uuid}, which has {chunkCount} chunks");
    }

    private const string UuidRule = "a firmware uuid is 1-64 of A-Z, a-z, 0-9, '.', '_', '-', starting with a letter or digit";

    private static bool IsName(string s) => s.Length > 0 && !s.Any(char.IsControl);

    private static InboundCheck Check(Reading? r, int index)
    {
        if (r?.Sensor is null || r.Unit is null)
        {
            return InboundCheck.Refuse(MissingField, $"reading {index} lacks 'sensor' or 'unit'");
        }

        if (!SensorName().IsMatch(r.Sensor))
        {
            return InboundCheck.Refuse(BadSensor, $"reading {index} names the sensor '{Clip(r.Sensor)}'; sensor names are 1-{InboundLimits.MaxSensorNameLength} of a-z, 0-9, '_', starting with a letter");
        }

        if (r.Unit.Length > InboundLimits.MaxUnitLength || r.Unit.Any(char.IsControl))
        {
            return InboundCheck.Refuse(BadUnit, $"reading {index} has a unit over {InboundLimits.MaxUnitLength} characters or with control characters");
        }

        if (!double.IsFinite(r.Value))
        {
            return InboundCheck.Refuse(BadValue, $"reading {index} of '{r.Sensor}' is not a finite number");
        }

        if (r.Ts < InboundLimits.EarliestTimestamp || r.Ts >= InboundLimits.LatestTimestamp)
        {
            return InboundCheck.Refuse(BadTimestamp, $"reading {index} of '{r.Sensor}' has the timestamp {r.Ts:O}; it must be between 2000 and 2200");
        }

        return InboundCheck.Valid;
    }

    private static string Clip(string s)
    {
        var clipped = s.Length <= 32 ? s : s[..32] + "…";
        return clipped.Any(char.IsControl) ? new string([.. clipped.Select(c => char.IsControl(c) ? '?' : c)]) : clipped;
    }

    /// <summary>The pattern in the schemas: <c>^[a-z][a-z0-9_]{0,31}$</c>.</summary>
    public const string SensorNamePattern = "^[a-z][a-z0-9_]{0,31}$";

    /// <summary>Tank states: <c>^[a-z][a-z0-9_]{0,63}$</c>.</summary>
    public const string StateNamePattern = "^[a-z][a-z0-9_]{0,63}$";

    /// <summary>Firmware uuids, which become part of the topic <c>fw/chunk/{uuid}</c> and so never hold '/', '+' or '#'.</summary>
    public const string FirmwareUuidPattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";

    [GeneratedRegex(@"^[a-z][a-z0-9_]{0,31}\z")]
    private static partial Regex SensorName();

    [GeneratedRegex(@"^[a-z][a-z0-9_]{0,63}\z")]
    private static partial Regex StateName();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex FirmwareUuid();
}
