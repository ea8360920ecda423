namespace Fleet.Device.Update;

public sealed record ReceivedChunk(int Index, ReadOnlyMemory<byte> Data);
