using System.Collections.Concurrent;
using Fleet.Hub.Devices;
using Fleet.Hub.Firmware;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Fleet.Protocol;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Messages;
using Fleet.Protocol.Messages.Validation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Win32.SafeHandles;

namespace Fleet.Hub.Rollouts;

/// <summary><c>fw/req</c>: answers each requested chunk index with the raw bytes from the content-addressed payload
/// blob, at the offsets the signed manifest gives, on <c>fw/chunk/{uuid}</c> (QoS 0, user property <c>index</c>: the device re-asks for what does not arrive).
/// Only the firmware the hub has offered to that device (an update in flight), only indexes within its chunks, and at
/// most <see cref="InboundLimits.MaxChunkIndexesPerRequest"/> at once; anything else is dropped, counted and noted on
/// the device's page. The device verifies every chunk; the hub only counts.</summary>
internal sealed class FirmwareChunkServer(
    IDbContextFactory<HubDb> dbs, RolloutLedger ledger, DroppedMessages dropped, BlobStore blobs, IDeviceLink link, ChunkDeliveryHooks hooks,
    ChunkRequestCounter counter, ChunkCache cache, ILogger<FirmwareChunkServer> log) : IInboundHandler
{
    private readonly ConcurrentDictionary<string, ChunkLayout> _layouts = new(StringComparer.Ordinal);

    public bool Handles(string kind) => kind == Topics.FirmwareRequestKind;

    /// <summary>A request is answered before this returns (or dropped); a lost one costs the device a retry.</summary>
    public async Task<Handled> HandleAsync(InboundMessage message, CancellationToken ct)
    {
        await ServeAsync(message, ct);
        return Handled.Done;
    }

    private async Task ServeAsync(InboundMessage message, CancellationToken ct)
    {
        if (await dropped.AcceptAsync<ChunkRequest>(message, InboundValidator.Check, ct) is not { } request)
        {
            return;
        }

        var chunkCount = await ledger.OfferedChunkCountAsync(message.Serial, request.Uuid, ct);
        var window = chunkCount is { } count
            ? InboundValidator.CheckWindow(request, count)
            : InboundCheck.Refuse(InboundValidator.NotOffered, $"chunk request for firmware {request.Uuid}, which the hub has not offered to this device (no update to it in flight)");
        if (!window.IsValid)
        {
            await dropped.ReportAsync(message.Serial, message.Kind, window, ct);
            return;
        }

        var layout = await LayoutAsync(request.Uuid, ct);
        if (layout is null || layout.Offsets.Length != chunkCount)
        {
            // The hub's own fault, not the device's: no protocol event on its page.
            HubMetrics.MessagesDropped.WithLabels("payload_missing").Inc();
            log.LogError("Firmware {Uuid} is offered to {Serial} but its payload blob or manifest is missing or unreadable", request.Uuid, message.Serial);
            return;
        }

        counter.Add(message.Serial, request.Uuid, request.Indexes.Count);
        if (counter.Due)
        {
            await counter.FlushAsync(ct);
        }

        var topic = Topics.FirmwareChunk(message.Serial, request.Uuid);
        SafeFileHandle? blob = null;
        try
        {
            await SendAsync(message.Serial, request, layout, topic, () => blob ??= File.OpenHandle(blobs.PathOf(layout.Sha256)), ct);
        }
        finally
        {
            blob?.Dispose();
        }
    }

    private async Task SendAsync(string serial, ChunkRequest request, ChunkLayout layout, string topic, Func<SafeFileHandle> blob, CancellationToken ct)
    {
        foreach (var index in request.Indexes)
        {
            if (hooks.Delay > TimeSpan.Zero)
            {
                await Task.Delay(hooks.Delay, ct);
            }

            var chunk = cache.GetOrRead(layout.Sha256, index, () =>
            {
                // Every byte is overwritten by the read, so skip zeroing 64 KiB per chunk.
                var read = GC.AllocateUninitializedArray<byte>(layout.Sizes[index]);
                RandomAccess.Read(blob(), read, layout.Offsets[index]);
                return read;
            });
            if (hooks.Active)
            {
                // The shared copy stays intact; only this delivery may be damaged.
                chunk = (byte[])chunk.Clone();
                if (hooks.MaybeCorrupt(serial, request.Uuid, index, chunk))
                {
                    log.LogWarning("Test hook: corrupted chunk {Index} of {Uuid} on its way to {Serial}", index, request.Uuid, serial);
                }
            }

            await link.PublishAsync(serial, topic, chunk, false, null, null, ct,
                new Dictionary<string, string> { ["index"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture) }, atMostOnce: true);
        }
    }

    /// <summary>Where each chunk of <paramref name="uuid"/> lies in its payload blob, from the signed manifest; cached,
    /// since a firmware's manifest never changes. Who may have it is decided before, on every request.</summary>
    private async Task<ChunkLayout?> LayoutAsync(string uuid, CancellationToken ct)
    {
        if (_layouts.TryGetValue(uuid, out var known))
        {
            return known;
        }

        await using var db = await dbs.CreateDbContextAsync(ct);
        var firmware = await db.Firmware.AsNoTracking().FirstOrDefaultAsync(f => f.Uuid == uuid, ct);
        if (firmware is null || !blobs.Exists(firmware.PayloadSha256))
        {
            return null;
        }

        var parsed = ManifestCodec.TryParse(firmware.Manifest.AsMemory(), BundleLimits.Default, out var manifest);
        if (parsed.Failure != VerificationFailure.None || manifest is null)
        {
            return null;
        }

        var sizes = manifest.Payload.Chunks.Select(c => c.Size).ToArray();
        var offsets = new long[sizes.Length];
        for (var i = 1; i < sizes.Length; i++)
        {
            offsets[i] = offsets[i - 1] + sizes[i - 1];
        }

        var layout = new ChunkLayout(firmware.ProductId, firmware.PayloadSha256, offsets, sizes);
        _layouts[uuid] = layout;
        return layout;
    }

    private sealed record ChunkLayout(int ProductId, string Sha256, long[] Offsets, int[] Sizes);
}
