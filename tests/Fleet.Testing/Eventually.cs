namespace Fleet.Testing;

/// <summary>Polls a condition until it holds or a generous deadline passes. Tests wait on facts, never on sleeps.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static async Task Until(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                last = ex;
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(200));
        }

        throw new TimeoutException($"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds:0}s waiting for: {what}" +
            (last is null ? string.Empty : $" (last error: {last.Message})"), last);
    }

    public static Task Until(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        Until(() => Task.FromResult(condition()), what, timeout);
}
