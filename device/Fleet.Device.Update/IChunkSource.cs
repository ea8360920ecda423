using System.Threading.Channels;

namespace Fleet.Device.Update;

/// <summary>Where chunks come from: on the device, <c>fw/req</c> out and <c>fw/chunk/{uuid}</c> in over the MQTT
/// connection. Chunks may arrive in any order, twice, corrupted or not at all; the downloader copes.</summary>
public interface IChunkSource
{
    Task RequestAsync(IReadOnlyList<int> indexes, CancellationToken cancellationToken);

    ChannelReader<ReceivedChunk> Chunks { get; }
}
