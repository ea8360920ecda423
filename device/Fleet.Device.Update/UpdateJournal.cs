using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fleet.Device.Update;

/// <summary>The persisted update state machine: <c>update/journal.json</c>, <c>update/bitmap</c> and
/// <c>update/staging</c>. Every phase change is written (atomically) before the step it announces, and is
/// checked against <see cref="UpdateTransitions"/>.</summary>
public sealed class UpdateJournal(DeviceRoot root)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public string JournalPath => Path.Combine(root.UpdateDir, "journal.json");
    public string BitmapPath => Path.Combine(root.UpdateDir, "bitmap");
    public string StagingPath => Path.Combine(root.UpdateDir, "staging");

    /// <summary>The current record; a missing or unreadable journal reads as idle (nothing was promised).</summary>
    public UpdateRecord Read()
    {
        try
        {
            return File.Exists(JournalPath)
                ? JsonSerializer.Deserialize<UpdateRecord>(File.ReadAllBytes(JournalPath), Json) ?? UpdateRecord.Idle
                : UpdateRecord.Idle;
        }
        catch (JsonException)
        {
            return UpdateRecord.Idle;
        }
    }

    /// <summary>Moves to <paramref name="next"/>; throws when the table forbids the step. Moving to a phase of another
    /// step resets <see cref="UpdateRecord.Attempts"/>.</summary>
    public UpdateRecord Advance(UpdateRecord next)
    {
        var now = Read();
        if (now.Phase != next.Phase && !UpdateTransitions.IsAllowed(now.Phase, next.Phase))
        {
            throw new InvalidOperationException($"update journal: {now.Phase} -> {next.Phase} is not a valid step");
        }

        // The attempts counter belongs to a step: a new step starts counting from zero.
        var stamped = next with
        {
            UpdatedAt = DateTimeOffset.UtcNow,
            Attempts = UpdateFlow.Of(now.Phase).Step == UpdateFlow.Of(next.Phase).Step ? next.Attempts : 0,
        };
        Directory.CreateDirectory(root.UpdateDir);
        Fleet.Protocol.Files.AtomicFile.Write(JournalPath, JsonSerializer.SerializeToUtf8Bytes(stamped, Json), Fleet.Protocol.Files.AtomicFile.PrivateMode);
        return stamped;
    }

    public ChunkBitmap LoadBitmap(int count) =>
        File.Exists(BitmapPath) ? ChunkBitmap.FromBytes(File.ReadAllBytes(BitmapPath), count) ?? new ChunkBitmap(count) : new ChunkBitmap(count);

    public void SaveBitmap(ChunkBitmap bitmap)
    {
        Directory.CreateDirectory(root.UpdateDir);
        Fleet.Protocol.Files.AtomicFile.Write(BitmapPath, bitmap.ToBytes(), Fleet.Protocol.Files.AtomicFile.PrivateMode);
    }

    /// <summary>Forgets the download (cancel, failure, or a different firmware offered).</summary>
    public void DiscardDownload()
    {
        if (!Directory.Exists(root.UpdateDir))
        {
            return;
        }

        File.Delete(BitmapPath);
        File.Delete(StagingPath);
        Durable.SyncDirectory(root.UpdateDir);
    }
}
