using System.Net.Http.Json;
using System.Text.Json;
using Fleet.Testing;

namespace Fleet.Hub.Tests;

/// <summary>Small JSON helpers over the real HTTPS API.</summary>
internal static class HubApi
{
    public static async Task<JsonElement> GetAsync(RunningHub hub, string path, string? token = null)
    {
        using var client = hub.Client(token ?? hub.AdminToken);
        var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<(int Status, JsonElement Body)> PostAsync(RunningHub hub, string path, object? body, string? token = null)
    {
        using var client = hub.Client(token ?? hub.AdminToken);
        var response = await client.PostAsJsonAsync(path, body);
        return await ReadAsync(response);
    }

    public static async Task<(int Status, JsonElement Body)> SendAsync(RunningHub hub, HttpMethod method, string path, HttpContent? content, string? token = null)
    {
        using var client = hub.Client(token ?? hub.AdminToken);
        using var request = new HttpRequestMessage(method, path) { Content = content };
        var response = await client.SendAsync(request);
        return await ReadAsync(response);
    }

    public static async Task<string> CreateProductAsync(RunningHub hub, string prefix = "tank")
    {
        var name = Unique.Name(prefix);
        await hub.PostOkAsync("/api/v1/products", new { name });
        return name;
    }

    /// <summary>The hub's count of device messages dropped for <paramref name="reason"/> (Prometheus, /metrics).</summary>
    public static async Task<double> DroppedAsync(RunningHub hub, string reason)
    {
        using var viewer = hub.Admin();
        var metrics = await viewer.GetStringAsync("/metrics");
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith($"fleet_mqtt_messages_dropped_total{{reason=\"{reason}\"}} ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The names of the protocol events (messages the hub dropped) on a device's page.</summary>
    public static async Task<HashSet<string?>> ProtocolEventsAsync(RunningHub hub, string serial) =>
        (await GetAsync(hub, $"/api/v1/devices/{serial}/events")).EnumerateArray()
            .Where(e => e.GetProperty("kind").GetString() == "protocol").Select(e => e.GetProperty("name").GetString()).ToHashSet();

    private static async Task<(int, JsonElement)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var json = string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
        return ((int)response.StatusCode, json);
    }
}
