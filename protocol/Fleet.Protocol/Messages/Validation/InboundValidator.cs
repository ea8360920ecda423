using System.Text.RegularExpressions;

namespace Fleet.Protocol.Messages.Validation;

/// <summary>Strict checks of what a device sends, beyond what the JSON shape guarantees (a record's non-nullable
/// list still deserializes as null when the field is missing). The hub drops and counts a message that fails, so it
/// never reaches a write shared with other devices.</summary>
public static partial class InboundValidator
{
    public const string MissingField = "missing_field";
    public const string TooManyReadings = "too_many_readings";
    public const string BadSensor = "bad_sensor";
    public const string BadValue = "bad_value";
    public const string BadUnit = "bad_unit";
    public const string BadTimestamp = "bad_timestamp";
    public const string BadSequence = "bad_sequence";
    public const string TooLong = "too_long";

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
            || (e.FirmwareUuid?.Length ?? 0) > 64 || (e.FirmwareVersion?.Length ?? 0) > 128)
        {
            return InboundCheck.Refuse(TooLong, $"event '{Clip(e.Kind)}/{Clip(e.Name)}' has a field over its length limit");
        }

        if (e.Ts < InboundLimits.EarliestTimestamp || e.Ts >= InboundLimits.LatestTimestamp)
        {
            return InboundCheck.Refuse(BadTimestamp, $"event '{e.Kind}/{e.Name}' has the timestamp {e.Ts:O}");
        }

        if (e.Progress is { } p && (!double.IsFinite(p) || p < 0 || p > 1))
        {
            return InboundCheck.Refuse(BadValue, $"event '{e.Kind}/{e.Name}' has progress {p}; it must be between 0 and 1");
        }

        return InboundCheck.Valid;
    }

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

    private static string Clip(string s) => s.Length <= 32 ? s : s[..32] + "…";

    [GeneratedRegex(@"^[a-z][a-z0-9_]{0,31}\z")]
    private static partial Regex SensorName();
}
