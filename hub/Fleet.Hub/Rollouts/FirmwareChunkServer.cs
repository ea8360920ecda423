using System.Collections.Concurrent;
using Fleet.Hub.Devices;
using Fleet.Hub.Firmware;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Fleet.Protocol;
using Fleet.Protocol.Bundles;
using Fleet.Protocol.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Win32.SafeHandles;

namespace Fleet.Hub.Rollouts;

/// <summary><c>fw/req</c>: answers each requested chunk index with the raw bytes from the content-addressed payload
/// blob, at the offsets the signed manifest gives, on <c>fw/chunk/{uuid}</c> (QoS 0, user property <c>index</c>: the device re-asks for what does not arrive).
/// Only firmware of the device's own product is served. The device verifies every chunk; the hub only counts.</summary>
internal sealed class FirmwareChunkServer(
    IDbContextFactory<HubDb> dbs, DeviceRegistry registry, BlobStore blobs, IDeviceLink link, ChunkDeliveryHooks hooks, ChunkRequestCounter counter,
    ChunkCache cache, ILogger<FirmwareChunkServer> log) : IInboundHandler
{
    /// <summary>A bounded answer to one request: a device asks for a window of chunks, not the whole payload.</summary>
    public const int MaxIndexesPerRequest = 64;

    private readonly ConcurrentDictionary<string, ChunkLayout> _layouts = new(StringComparer.Ordinal);

    public bool Handles(string kind) => kind == Topics.FirmwareRequestKind;

    public async Task HandleAsync(InboundMessage message, CancellationToken ct)
    {
        var request = FleetJson.TryDeserialize<ChunkRequest>(message.Payload.Span);
        if (request is null || string.IsNullOrEmpty(request.Uuid) || request.Indexes is null || request.Indexes.Count is 0 or > MaxIndexesPerRequest)
        {
            HubMetrics.MessagesDropped.WithLabels("malformed").Inc();
            return;
        }

        var layout = await LayoutAsync(message.Serial, request.Uuid, ct);
        if (layout is null)
        {
            HubMetrics.MessagesDropped.WithLabels("unknown_firmware").Inc();
            log.LogWarning("{Serial} asked for chunks of firmware {Uuid}, which is not firmware of its product", message.Serial, request.Uuid);
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
        foreach (var index in request.Indexes.Distinct())
        {
            if ((uint)index >= (uint)layout.Offsets.Length)
            {
                continue;
            }

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

    private async Task<ChunkLayout?> LayoutAsync(string serial, string uuid, CancellationToken ct)
    {
        // Asked on every request, not cached: with an external broker a revoked device can still be connected, and
        // it must get nothing more, not even chunks the cache holds for other devices.
        var productId = await registry.ActiveProductAsync(serial, ct);
        if (productId is null)
        {
            return null;
        }

        if (_layouts.TryGetValue(uuid, out var known))
        {
            return known.ProductId == productId ? known : null;
        }

        await using var db = await dbs.CreateDbContextAsync(ct);
        var firmware = await db.Firmware.AsNoTracking().FirstOrDefaultAsync(f => f.Uuid == uuid && f.ProductId == productId, ct);
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
