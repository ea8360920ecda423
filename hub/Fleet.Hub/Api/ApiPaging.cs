using Microsoft.AspNetCore.WebUtilities;

namespace Fleet.Hub.Api;

/// <summary>How a list endpoint says there is a next page: <c>Link: &lt;…?cursor=C&gt;; rel="next"</c> (RFC 8288,
/// the request's own query with the cursor replaced) and <c>X-Next-Cursor: C</c>. Neither on the last page.</summary>
internal static class ApiPaging
{
    public const string NextCursorHeader = "X-Next-Cursor";

    public static void Link(HttpContext http, string? next)
    {
        if (next is null)
        {
            return;
        }

        var query = http.Request.Query.Where(q => q.Key != "cursor").ToDictionary(q => q.Key, q => (string?)q.Value.ToString());
        query["cursor"] = next;
        http.Response.Headers["Link"] = $"<{QueryHelpers.AddQueryString(http.Request.PathBase + http.Request.Path, query)}>; rel=\"next\"";
        http.Response.Headers[NextCursorHeader] = next;
    }
}
