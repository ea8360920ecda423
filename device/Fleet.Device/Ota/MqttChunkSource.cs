using System.Globalization;
using System.Threading.Channels;
using Fleet.Device.Link;
using Fleet.Device.Update;
using Fleet.Protocol;
using Fleet.Protocol.Messages;

namespace Fleet.Device.Ota;

/// <summary>Chunks over the device's own MQTT connection: requests go out on <c>fw/req</c>, answers come in on
/// <c>fw/chunk/{uuid}</c> with the chunk index in the user property <c>index</c>. A request made while the link is down
/// is simply lost; the downloader asks again after its timeout.</summary>
internal sealed class MqttChunkSource(IDeviceLink link, string uuid) : IChunkSource
{
    private readonly Channel<ReceivedChunk> _chunks = Channel.CreateBounded<ReceivedChunk>(new BoundedChannelOptions(256)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
    });

    public string Uuid { get; } = uuid;

    public ChannelReader<ReceivedChunk> Chunks => _chunks.Reader;

    public async Task RequestAsync(IReadOnlyList<int> indexes, CancellationToken cancellationToken)
    {
        await link.PublishAsync(Topics.FirmwareRequestKind, FleetJson.Serialize(new ChunkRequest(Uuid, indexes)), ct: cancellationToken);
    }

    /// <summary>Takes a message on <c>fw/chunk/{uuid}</c>; anything for another firmware or without an index is ignored.</summary>
    public void Accept(InboundMessage message)
    {
        if (message.Kind != $"{Topics.FirmwareChunkKind}/{Uuid}"
            || !message.UserProperties.TryGetValue("index", out var raw)
            || !int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return;
        }

        _chunks.Writer.TryWrite(new ReceivedChunk(index, message.Payload));
    }
}
