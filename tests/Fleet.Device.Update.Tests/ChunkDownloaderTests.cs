using System.Security.Cryptography;
using System.Threading.Channels;
using Fleet.Testing;

namespace Fleet.Device.Update.Tests;

public sealed class ChunkDownloaderTests : IDisposable
{
    private const int ChunkSize = 1024;
    private readonly TempDir _dir = new("fleet-download");
    private readonly UpdateJournal _journal;
    private readonly byte[] _payload = RandomNumberGenerator.GetBytes((ChunkSize * 20) + 100);
    private readonly ChunkPlan _plan;

    public ChunkDownloaderTests()
    {
        _journal = new UpdateJournal(new DeviceRoot(_dir.Path));
        var chunks = _payload.Chunk(ChunkSize).Select(c => (c.Length, SHA256.HashData(c))).ToList();
        _plan = new ChunkPlan(chunks);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Downloads_every_chunk_into_the_staging_file()
    {
        var source = new ScriptedSource(_payload, ChunkSize);

        var result = await new ChunkDownloader(_journal, _plan).RunAsync(source, null, CancellationToken.None);

        Assert.Equal(21, result.Held);
        Assert.Equal(_payload, await File.ReadAllBytesAsync(_journal.StagingPath));
        Assert.True(source.MaxInFlight > 1, "several chunks are requested at once");
    }

    [Fact]
    public async Task A_corrupted_chunk_is_never_written_and_is_fetched_again()
    {
        var source = new ScriptedSource(_payload, ChunkSize) { CorruptOnce = { 3, 17 } };
        var writes = new List<DownloadProgress>();

        var result = await new ChunkDownloader(_journal, _plan, persistEvery: 1).RunAsync(source, new SyncProgress(writes.Add), CancellationToken.None);

        Assert.Equal(2, result.Corrupt);
        Assert.Equal(2, source.Requests.Count(i => i == 3) + source.Requests.Count(i => i == 17) - 2);
        Assert.Equal(_payload, await File.ReadAllBytesAsync(_journal.StagingPath));
    }

    [Fact]
    public async Task Lost_answers_are_asked_for_again_and_duplicates_are_ignored()
    {
        var source = new ScriptedSource(_payload, ChunkSize) { DropOnce = { 5 }, DuplicateAll = true };
        var downloader = new ChunkDownloader(_journal, _plan) { RequestTimeout = TimeSpan.FromMilliseconds(300) };

        var result = await downloader.RunAsync(source, null, CancellationToken.None);

        Assert.True(result.Duplicates > 0);
        Assert.Equal(_payload, await File.ReadAllBytesAsync(_journal.StagingPath));
    }

    [Fact]
    public async Task A_restart_resumes_without_fetching_verified_chunks_again()
    {
        using var cts = new CancellationTokenSource();
        var first = new ScriptedSource(_payload, ChunkSize) { CancelAfter = (12, cts) };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new ChunkDownloader(_journal, _plan, window: 4, persistEvery: 4).RunAsync(first, null, cts.Token));
        var heldBefore = _journal.LoadBitmap(_plan.Count).Held;
        Assert.InRange(heldBefore, 8, 12);

        var second = new ScriptedSource(_payload, ChunkSize);
        var result = await new ChunkDownloader(_journal, _plan, window: 4).RunAsync(second, null, CancellationToken.None);

        Assert.Equal(_plan.Count - heldBefore, second.Requests.Count);
        Assert.Equal(_payload, await File.ReadAllBytesAsync(_journal.StagingPath));
        Assert.Equal(_plan.Count, result.Held);
    }

    private sealed class SyncProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }

    /// <summary>Answers requests from the payload in memory, with scripted loss, corruption and duplication.</summary>
    private sealed class ScriptedSource(byte[] payload, int chunkSize) : IChunkSource
    {
        private readonly Channel<ReceivedChunk> _channel = Channel.CreateUnbounded<ReceivedChunk>();
        private int _delivered;
        private int _inFlight;

        public HashSet<int> CorruptOnce { get; } = [];
        public HashSet<int> DropOnce { get; } = [];
        public bool DuplicateAll { get; init; }
        public (int After, CancellationTokenSource Cts)? CancelAfter { get; init; }
        public List<int> Requests { get; } = [];
        public int MaxInFlight { get; private set; }

        public ChannelReader<ReceivedChunk> Chunks => _channel.Reader;

        public Task RequestAsync(IReadOnlyList<int> indexes, CancellationToken cancellationToken)
        {
            Requests.AddRange(indexes);
            _inFlight = indexes.Count + _channel.Reader.Count;
            MaxInFlight = Math.Max(MaxInFlight, indexes.Count);
            foreach (var i in indexes)
            {
                if (DropOnce.Remove(i))
                {
                    continue;
                }

                var data = payload.AsSpan(i * chunkSize, Math.Min(chunkSize, payload.Length - (i * chunkSize))).ToArray();
                if (CorruptOnce.Remove(i))
                {
                    data[0] ^= 0xFF;
                }

                _channel.Writer.TryWrite(new ReceivedChunk(i, data));
                if (DuplicateAll)
                {
                    _channel.Writer.TryWrite(new ReceivedChunk(i, data));
                }

                if (CancelAfter is { } c && ++_delivered >= c.After)
                {
                    c.Cts.Cancel();
                }
            }

            return Task.CompletedTask;
        }
    }
}
