namespace Fleet.Device.Update;

/// <summary>Fills <c>update/staging</c> from a chunk source with several chunks in flight. A chunk is written
/// only after it matches the signed manifest; the bitmap is persisted after the data it describes is on
/// disk, so after a crash every marked chunk really is there and at most a few unmarked ones are fetched again.</summary>
public sealed class ChunkDownloader(UpdateJournal journal, ChunkPlan plan, int window = 8, int persistEvery = 16)
{
    /// <summary>How long to wait for any chunk before asking again for everything outstanding.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public async Task<DownloadProgress> RunAsync(IChunkSource source, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var bitmap = journal.LoadBitmap(plan.Count);
        Directory.CreateDirectory(Path.GetDirectoryName(journal.StagingPath)!);
        using var stream = new FileStream(journal.StagingPath, new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        var staging = stream.SafeFileHandle;
        if (RandomAccess.GetLength(staging) != plan.TotalSize)
        {
            RandomAccess.SetLength(staging, plan.TotalSize);
        }

        var outstanding = new HashSet<int>();
        int requested = 0, corrupt = 0, duplicates = 0, unsaved = 0, next = 0;
        DownloadProgress Snapshot() => new(bitmap.Held, plan.Count, requested, corrupt, duplicates);
        progress?.Report(Snapshot());

        while (!bitmap.IsComplete)
        {
            var ask = bitmap.Missing(plan.Count, next).Where(i => !outstanding.Contains(i)).Take(window - outstanding.Count).ToList();
            if (ask.Count > 0)
            {
                outstanding.UnionWith(ask);
                requested += ask.Count;
                next = (ask[^1] + 1) % plan.Count;
                await source.RequestAsync(ask, cancellationToken);
            }

            ReceivedChunk? chunk = null;
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                wait.CancelAfter(RequestTimeout);
                try
                {
                    chunk = await source.Chunks.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Lost requests or answers (hub restart, dropped connection): ask again.
                    outstanding.Clear();
                    continue;
                }
            }

            outstanding.Remove(chunk.Index);
            if ((uint)chunk.Index >= (uint)plan.Count || bitmap.Has(chunk.Index))
            {
                duplicates++;
                continue;
            }

            if (!plan.Matches(chunk.Index, chunk.Data.Span))
            {
                corrupt++; // Never written; asked for again on the next round.
                continue;
            }

            RandomAccess.Write(staging, chunk.Data.Span, plan.Chunks[chunk.Index].Offset);
            bitmap.Set(chunk.Index);
            if (++unsaved >= persistEvery || bitmap.IsComplete)
            {
                RandomAccess.FlushToDisk(staging);
                journal.SaveBitmap(bitmap);
                unsaved = 0;
                progress?.Report(Snapshot());
            }
        }

        return Snapshot();
    }
}
