using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fleet.Cli.Hub;

/// <summary>The hub's REST API over HTTPS. With a pinned CA, the server certificate must chain to exactly that CA
/// (not to the system store). Refusals become one <see cref="CliFailure"/> line built from the Problem Details.</summary>
internal sealed class HubClient : IDisposable
{
    private readonly HttpClient _http;

    public HubClient(HubLogin login)
    {
        Login = login;
        var handler = new HttpClientHandler();
        if (login.CaCertificatePem is { } pem)
        {
            var anchors = new X509Certificate2Collection();
            anchors.ImportFromPem(pem);
            // Fail closed through the one policy the agent uses too: the pinned anchor only, serverAuth, and a
            // subjectAltName for the host dialled (never the CN), so a device certificate cannot pass as the hub and
            // the token is never sent to it.
            handler.ServerCertificateCustomValidationCallback = (request, cert, chain, _) =>
                Fleet.Protocol.Tls.HubCertificatePolicy.Check(cert, chain, request.RequestUri?.Host ?? string.Empty, anchors) == Fleet.Protocol.Tls.HubCertificateVerdict.Trusted;
        }

        if (!Uri.TryCreate(login.Hub, UriKind.Absolute, out var baseUri) || baseUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new CliFailure($"hub address '{login.Hub}' is not an https:// URL; e.g. https://127.0.0.1:5443");
        }

        _http = new HttpClient(handler) { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(30) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.Token);
    }

    public HubLogin Login { get; }

    public Task<JsonNode?> GetAsync(string path, string what, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), what, ct);

    /// <summary>As <see cref="GetAsync"/>, but null when the hub itself says it has no such thing: a 404 whose
    /// problem <c>code</c> is <paramref name="notFoundCode"/> (any other 404, e.g. a proxy's, is an error).</summary>
    public Task<JsonNode?> FindAsync(string path, string notFoundCode, string what, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), what, ct, notFoundIsNull: true, notFoundCode);

    public Task<JsonNode?> PostAsync(string path, JsonNode? body, string what, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) }, what, ct);

    public Task<JsonNode?> PatchAsync(string path, JsonNode body, string what, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Patch, path) { Content = Json(body) }, what, ct);

    public Task<JsonNode?> DeleteAsync(string path, string what, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Delete, path), what, ct);

    /// <summary>Sends <paramref name="body"/> as the exact request bytes (signed metadata must arrive unchanged).</summary>
    public Task<JsonNode?> SendBytesAsync(HttpMethod method, string path, byte[] body, string what, CancellationToken ct)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return SendAsync(new HttpRequestMessage(method, path) { Content = content }, what, ct);
    }

    public async Task<JsonNode?> SendAsync(HttpRequestMessage request, string what, CancellationToken ct, bool notFoundIsNull = false, string? notFoundCode = null) =>
        (await SendForPageAsync(request, what, ct, notFoundIsNull, notFoundCode)).Body;

    /// <summary>One page of a list and the cursor of the next (the hub's <c>X-Next-Cursor</c>; null on the last).</summary>
    public Task<(JsonNode? Body, string? Next)> GetPageAsync(string path, string what, CancellationToken ct) =>
        SendForPageAsync(new HttpRequestMessage(HttpMethod.Get, path), what, ct, notFoundIsNull: false, null);

    private async Task<(JsonNode? Body, string? Next)> SendForPageAsync(HttpRequestMessage request, string what, CancellationToken ct, bool notFoundIsNull, string? notFoundCode)
    {
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, ct);
            }
            catch (HttpRequestException ex)
            {
                throw new CliFailure($"cannot reach the hub at {Login.Hub} to {what}: {Innermost(ex)}; check 'fleet login' (address, --ca-cert) and that the hub runs");
            }

            using (response)
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                if (notFoundIsNull && response.StatusCode == System.Net.HttpStatusCode.NotFound && ProblemCode(text) == notFoundCode)
                {
                    return (null, null);
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new CliFailure($"hub refused to {what}: {Describe(response, text)}", ExitCodeFor((int)response.StatusCode));
                }

                var next = response.Headers.TryGetValues("X-Next-Cursor", out var values) ? values.FirstOrDefault() : null;
                return (string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text), next);
            }
        }
    }

    /// <summary>GETs <paramref name="path"/> into a new file <paramref name="destination"/> (created 0600; the caller
    /// renames or deletes it).</summary>
    public async Task DownloadAsync(string path, string destination, string what, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new CliFailure($"cannot reach the hub at {Login.Hub} to {what}: {Innermost(ex)}; check 'fleet login' (address, --ca-cert) and that the hub runs");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new CliFailure($"hub refused to {what}: {Describe(response, await response.Content.ReadAsStringAsync(ct))}", ExitCodeFor((int)response.StatusCode));
            }

            await using var body = await response.Content.ReadAsStreamAsync(ct);
            await using var file = new FileStream(destination, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            await body.CopyToAsync(file, ct);
        }
    }

    public void Dispose() => _http.Dispose();

    public static string Pretty(JsonNode? node) => node?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "null";

    private static StringContent? Json(JsonNode? body) =>
        body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static string? ProblemCode(string text)
    {
        try
        {
            return JsonNode.Parse(text)?["code"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Describe(HttpResponseMessage response, string text)
    {
        try
        {
            var problem = JsonNode.Parse(text);
            var detail = problem?["detail"]?.GetValue<string>();
            var code = problem?["code"]?.GetValue<string>() ?? problem?["title"]?.GetValue<string>();
            if (detail is not null)
            {
                return code is null ? detail : $"{detail} ({code})";
            }
        }
        catch (JsonException)
        {
        }

        return $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
    }

    /// <summary>Distinct exit codes let scripts tell "not allowed" from "bad input" from "not found".</summary>
    private static int ExitCodeFor(int status) => status switch
    {
        401 or 403 => 3,
        404 => 4,
        409 => 5,
        _ => 1,
    };

    private static string Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex.Message;
    }
}
