using Fleet.Hub.Rollouts;

namespace Fleet.Hub.Tests.Firmware;

public sealed class ChunkCacheTests
{
    [Fact]
    public void A_chunk_asked_for_again_is_served_from_memory_without_reading_the_blob()
    {
        var cache = new ChunkCache(1024 * 1024);
        var reads = 0;
        byte[] Read()
        {
            reads++;
            return [1, 2, 3];
        }

        var first = cache.GetOrRead("aa", 0, Read);
        var second = cache.GetOrRead("aa", 0, Read);

        Assert.Equal(1, reads);
        Assert.Same(first, second);
        Assert.Equal(3, cache.GetOrRead("bb", 0, Read).Length);
        Assert.Equal(2, reads);
    }

    [Fact]
    public void The_oldest_chunks_leave_once_the_byte_budget_is_exceeded()
    {
        var cache = new ChunkCache(4 * 1024);
        for (var i = 0; i < 10; i++)
        {
            cache.GetOrRead("aa", i, () => new byte[1024]);
        }

        Assert.True(cache.Bytes <= 4 * 1024, $"{cache.Bytes} bytes held");
        var reread = false;
        cache.GetOrRead("aa", 0, () =>
        {
            reread = true;
            return new byte[1024];
        });
        Assert.True(reread, "chunk 0 was the oldest and should have been evicted");
        var kept = true;
        cache.GetOrRead("aa", 9, () =>
        {
            kept = false;
            return new byte[1024];
        });
        Assert.True(kept, "chunk 9 was the newest and should still be held");
    }
}
