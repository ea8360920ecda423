using System.Net;
using System.Net.Http.Headers;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Web;

/// <summary>CSRF: the API takes Bearer tokens only, so a page that gets a signed-in browser to send a request (with
/// its session cookie, without a token) is refused, whatever site it is on; the firmware upload takes only
/// application/octet-stream, which no form can send; signing out needs the page's antiforgery token.
/// /metrics needs a token too.</summary>
public abstract class ForgedRequestTests(HubFixture fixture)
{
    public sealed class OnSqlite(SqliteHub hub) : ForgedRequestTests(hub), IClassFixture<SqliteHub>;

    public sealed class OnPostgres(PostgresHub hub) : ForgedRequestTests(hub), IClassFixture<PostgresHub>;

    private RunningHub Hub => fixture.Hub;

    /// <summary>What a browser adds to a request a page on another site, or on the same site, makes it send.</summary>
    public static TheoryData<string, string> Origins => new()
    {
        { "cross-site", "https://attacker.example" },
        { "same-site", "https://127.0.0.1:1" },
    };

    [Theory]
    [MemberData(nameof(Origins))]
    public async Task A_signed_in_browser_cannot_be_made_to_post_to_the_API(string site, string origin)
    {
        using var session = await SignedInAdminAsync();
        var serial = Unique.Name("tank");
        foreach (var action in new[] { "revoke", "reboot", "identify", "cancel-update" })
        {
            using var forged = Forged(HttpMethod.Post, $"/api/v1/devices/{serial}/{action}", site, origin);
            forged.Content = new ByteArrayContent([]);
            using var response = await session.Http.SendAsync(forged);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{site} POST {action} with the session cookie: {(int)response.StatusCode}");
        }

        // The cookie is ignored on reads too, and the refusal is not about the device: with a token the same
        // request reaches the handler, which does not know the device.
        using (var read = Forged(HttpMethod.Get, "/api/v1/whoami", site, origin))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await session.Http.SendAsync(read)).StatusCode);
        }

        using var admin = Hub.Admin();
        using var real = await admin.PostAsync($"/api/v1/devices/{serial}/revoke", null);
        Assert.Equal(HttpStatusCode.NotFound, real.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Origins))]
    public async Task A_form_shaped_firmware_upload_is_refused_with_the_cookie_and_with_a_token(string site, string origin)
    {
        var product = await HubApi.CreateProductAsync(Hub);
        using var session = await SignedInAdminAsync();
        using (var forged = Forged(HttpMethod.Post, $"/api/v1/firmware?product={product}", site, origin))
        {
            forged.Content = new StringContent("PK not a bundle", System.Text.Encoding.UTF8, "text/plain");
            Assert.Equal(HttpStatusCode.Unauthorized, (await session.Http.SendAsync(forged)).StatusCode);
        }

        // Even with a manager's token, only the bundle's content type is accepted.
        using var admin = Hub.Admin();
        foreach (var type in new[] { "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", null })
        {
            var body = new ByteArrayContent("PK not a bundle"u8.ToArray());
            body.Headers.ContentType = type is null ? null : MediaTypeHeaderValue.Parse(type);
            using var response = await admin.PostAsync($"/api/v1/firmware?product={product}", body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, $"{type ?? "no content type"}: {(int)response.StatusCode} {text}");
            Assert.Contains("application/octet-stream", text, StringComparison.Ordinal);
        }

        var bundle = new ByteArrayContent("PK not a bundle"u8.ToArray());
        bundle.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var verified = await admin.PostAsync($"/api/v1/firmware?product={product}", bundle);
        Assert.Equal(HttpStatusCode.BadRequest, verified.StatusCode);
        Assert.Equal(0, (await HubApi.GetAsync(Hub, $"/api/v1/firmware?product={product}")).GetArrayLength());
    }

    [Fact]
    public async Task Signing_out_needs_the_pages_antiforgery_token()
    {
        using var session = await SignedInAdminAsync();
        using (var forged = Forged(HttpMethod.Post, "/account/signout", "same-site", "https://127.0.0.1:1"))
        {
            forged.Content = new FormUrlEncodedContent([]);
            Assert.Equal(HttpStatusCode.BadRequest, (await session.Http.SendAsync(forged)).StatusCode);
        }

        using (var home = await session.Http.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        }

        var token = await WebSession.FormTokenAsync(session.Http, "/");
        using var signOut = await session.Http.PostAsync("/account/signout", new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        Assert.Equal("/signin", signOut.Headers.Location?.OriginalString);
        using var after = await session.Http.GetAsync("/");
        Assert.Equal("/signin", new Uri(new Uri(Hub.Url), after.Headers.Location!).AbsolutePath);
    }

    [Fact]
    public async Task Metrics_need_a_token_with_role_view()
    {
        using (var anonymous = Hub.Client())
        {
            using var refused = await anonymous.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.DoesNotContain("fleet_devices_connected", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var session = await SignedInAdminAsync())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await session.Http.GetAsync("/metrics")).StatusCode);
        }

        using (var wrong = Hub.Client("fleet_not-a-token"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/metrics")).StatusCode);
        }

        var viewer = await Hub.CreateUserAsync(Unique.Name("scraper"), "view");
        using var scraper = Hub.Client(viewer);
        var metrics = await scraper.GetStringAsync("/metrics");
        Assert.Contains("fleet_devices_connected", metrics, StringComparison.Ordinal);
        Assert.Contains("fleet_mqtt_messages_in_total", metrics, StringComparison.Ordinal);
        Assert.Contains("fleet_firmware_uploads_total", metrics, StringComparison.Ordinal);
    }

    private async Task<WebSession> SignedInAdminAsync()
    {
        var session = await WebSession.OpenAsync(Hub, IPAddress.Loopback);
        await session.SignInOkAsync("admin", WebSession.AdminPassword(Hub));
        using var home = await session.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        return session;
    }

    private static HttpRequestMessage Forged(HttpMethod method, string path, string site, string origin)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("Origin", origin);
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", site);
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Mode", "no-cors");
        return request;
    }
}
