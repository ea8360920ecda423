using System.Net;
using System.Text.RegularExpressions;
using Fleet.Testing;

namespace Fleet.Hub.Tests.Web;

/// <summary>A browser's view of the hub from one local address: its cookies, and the sign-in form posted as the
/// page posts it (with the antiforgery token from GET /signin).</summary>
internal sealed partial class WebSession : IDisposable
{
    private WebSession(HttpClient http, CookieContainer cookies, string formToken)
    {
        Http = http;
        Cookies = cookies;
        FormToken = formToken;
    }

    public HttpClient Http { get; }
    public CookieContainer Cookies { get; }
    public string FormToken { get; private set; }

    public static string AdminPassword(RunningHub hub) => File.ReadAllText(Path.Combine(hub.DataDir, "admin-password")).Trim();

    public static async Task<WebSession> OpenAsync(RunningHub hub, IPAddress from)
    {
        var cookies = new CookieContainer();
        var http = hub.BrowserFrom(from, cookies);
        return new WebSession(http, cookies, await FormTokenAsync(http, "/signin"));
    }

    /// <summary>The antiforgery token a page's forms carry.</summary>
    public static async Task<string> FormTokenAsync(HttpClient http, string page)
    {
        var html = await http.GetStringAsync(page);
        return FormTokenField().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : throw new InvalidOperationException($"no antiforgery token on {page}:\n{html}");
    }

    public async Task<HttpResponseMessage> SignInAsync(string user, string password, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/account/signin")
        {
            Content = new FormUrlEncodedContent([new("user", user), new("password", password), new("returnUrl", "/"), new("__RequestVerificationToken", FormToken)]),
        };
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>Signs in and checks it worked: the hub answers with a redirect home and the session cookie.</summary>
    public async Task SignInOkAsync(string user, string password)
    {
        using var response = await SignInAsync(user, password);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString == "/",
            $"sign-in as {user}: {(int)response.StatusCode} {response.Headers.Location}");
        Assert.Contains(Cookies.GetAllCookies(), c => c.Name == "fleet.session");
    }

    /// <summary>Where a refused sign-in sends the browser: the error name in /signin?error=NAME, or the status.</summary>
    public static string Outcome(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString is { } to
            ? to.StartsWith("/signin?error=", StringComparison.Ordinal) ? to["/signin?error=".Length..] : to
            : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormTokenField();
}
