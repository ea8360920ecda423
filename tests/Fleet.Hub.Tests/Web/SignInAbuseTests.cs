using System.Net;
using System.Text.Json;
using Fleet.Hub.Accounts.SignIn;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Web;

/// <summary>Sign-in against guessing and against abuse of the guessing defences: a client is rate limited per
/// address and backs off per (address, user), so a flood locks out only the flooder; a failed sign-in is audited
/// as anonymous with the attempted name bounded; X-Forwarded-For counts only from a listed proxy.</summary>
public abstract class SignInAbuseTests(HubFixture fixture)
{
    public sealed class OnSqlite(ProxiedSqliteHub hub) : SignInAbuseTests(hub), IClassFixture<ProxiedSqliteHub>;

    public sealed class OnPostgres(ProxiedPostgresHub hub) : SignInAbuseTests(hub), IClassFixture<ProxiedPostgresHub>;

    /// <summary>More attempts than the bucket and the refill during the flood could let through.</summary>
    private const int FloodLimit = 200;

    private RunningHub Hub => fixture.Hub;

    [Fact]
    public async Task A_flood_from_one_address_is_rate_limited_and_does_not_lock_admin_out_elsewhere()
    {
        using var flooder = await WebSession.OpenAsync(Hub, IPAddress.Parse("127.0.0.3"));
        var outcomes = await FloodAsync(flooder, "admin");
        Assert.Contains("failed", outcomes);
        Assert.Contains("wait", outcomes);

        // The flooder is shut out, right password or not.
        using (var right = await flooder.SignInAsync("admin", WebSession.AdminPassword(Hub)))
        {
            Assert.Contains(WebSession.Outcome(right), new[] { "429", "wait" });
        }

        // Admin, from another address, signs in at once.
        using var admin = await WebSession.OpenAsync(Hub, IPAddress.Parse("127.0.0.2"));
        await admin.SignInOkAsync("admin", WebSession.AdminPassword(Hub));
        using var home = await admin.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);

        var failures = (await AuditAsync()).Where(e => e.GetProperty("action").GetString() == "user.signin_failed"
            && e.GetProperty("details").GetString()!.Contains("from 127.0.0.3:", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(failures);
        Assert.All(failures, e => Assert.Equal("(anonymous)", e.GetProperty("actor").GetString()));
        Assert.Contains((await AuditAsync()), e => e.GetProperty("action").GetString() == "user.signin"
            && e.GetProperty("actor").GetString() == "admin" && e.GetProperty("details").GetString() == "from 127.0.0.2");
    }

    [Fact]
    public async Task A_failed_sign_in_with_a_4_MiB_user_name_is_audited_bounded_and_anonymous()
    {
        using var client = await WebSession.OpenAsync(Hub, IPAddress.Parse("127.0.0.5"));
        var name = "adm\r\nin\u202e" + new string('A', 4 * 1024 * 1024 - 20);
        using (var response = await client.SignInAsync(name, "wrong password"))
        {
            Assert.Equal("failed", WebSession.Outcome(response));
        }

        var entry = Assert.Single((await AuditAsync()), e => e.GetProperty("details").GetString()!.Contains("from 127.0.0.5:", StringComparison.Ordinal));
        Assert.Equal("(anonymous)", entry.GetProperty("actor").GetString());
        Assert.Equal("user.signin_failed", entry.GetProperty("action").GetString());
        var subject = entry.GetProperty("subject").GetString()!;
        var details = entry.GetProperty("details").GetString()!;
        Assert.True(subject.Length < 120, $"subject is {subject.Length} characters");
        Assert.True(details.Length < 300, $"details are {details.Length} characters");
        Assert.StartsWith("user:adm??in?AAAA", subject, StringComparison.Ordinal);
        Assert.Contains($"({name.Length} characters)", details, StringComparison.Ordinal);
        Assert.DoesNotContain(subject + details, c => char.IsControl(c) || c == '\u202e');
    }

    [Fact]
    public async Task X_forwarded_for_counts_only_from_the_listed_proxy()
    {
        // Not the proxy: the header is ignored, so varying it does not escape the rate limit.
        using var direct = await WebSession.OpenAsync(Hub, IPAddress.Parse("127.0.0.6"));
        var n = 0;
        var outcomes = await FloodAsync(direct, "nobody-" + Unique.Name("u"), () => [new("X-Forwarded-For", $"198.51.100.{++n % 250}")]);
        Assert.Contains("429", outcomes);
        Assert.Contains((await AuditAsync()), e => e.GetProperty("details").GetString()!.Contains("from 127.0.0.6:", StringComparison.Ordinal));

        // Through the proxy: each forwarded client has its own budget.
        using var proxy = await WebSession.OpenAsync(Hub, IPAddress.Parse(ProxiedSqliteHub.Proxy));
        await FloodAsync(proxy, "nobody", () => [new("X-Forwarded-For", "203.0.113.7")]);
        using (var other = await proxy.SignInAsync("nobody", "wrong password", [new("X-Forwarded-For", "203.0.113.8")]))
        {
            Assert.Equal("failed", WebSession.Outcome(other));
        }

        var audit = await AuditAsync();
        Assert.Contains(audit, e => e.GetProperty("details").GetString()!.Contains("from 203.0.113.7:", StringComparison.Ordinal));
        Assert.Contains(audit, e => e.GetProperty("details").GetString()!.Contains("from 203.0.113.8:", StringComparison.Ordinal));
        Assert.DoesNotContain(audit, e => e.GetProperty("details").GetString()!.Contains("from 198.51.100.", StringComparison.Ordinal));
    }

    /// <summary>Wrong passwords until the rate limiter answers 429; the sign-in outcomes seen on the way.</summary>
    private static async Task<List<string>> FloodAsync(WebSession client, string user, Func<IEnumerable<KeyValuePair<string, string>>>? headers = null)
    {
        var outcomes = new List<string>();
        for (var i = 0; i < FloodLimit; i++)
        {
            using var response = await client.SignInAsync(user, "wrong password " + i, headers?.Invoke());
            var outcome = WebSession.Outcome(response);
            outcomes.Add(outcome);
            if (outcome == "429")
            {
                Assert.True(response.Headers.RetryAfter is not null, "429 without Retry-After");
                return outcomes;
            }

            Assert.Contains(outcome, new[] { "failed", "wait" });
        }

        Assert.Fail($"{FloodLimit} sign-ins from one client were never rate limited (bucket {SignInEndpoints.RateLimitBurst}); outcomes: {string.Join(' ', outcomes.Distinct())}");
        return outcomes;
    }

    private async Task<List<JsonElement>> AuditAsync() =>
        [.. (await HubApi.GetAsync(Hub, "/api/v1/audit?limit=1000")).EnumerateArray()];
}
