using Fleet.Hub.Accounts;
using Fleet.Hub.Api;
using Fleet.Hub.Audit;
using Fleet.Hub.Broker;
using Fleet.Hub.Deployments;
using Fleet.Hub.Devices;
using Fleet.Hub.Firmware;
using Fleet.Hub.Pki;
using Fleet.Hub.Products;
using Fleet.Hub.Rollouts;
using Fleet.Hub.Storage;
using Fleet.Hub.Telemetry;
using Fleet.Hub.Web;
using System.Net;
using Fleet.Protocol.Files;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.EntityFrameworkCore;
using Prometheus;

namespace Fleet.Hub.Hosting;

/// <summary>Wires the hub: options, data dir, PKI, database, contexts, broker, HTTPS and the API.</summary>
internal static class HubServices
{
    public static HubOptions AddHub(this WebApplicationBuilder builder, string[] args)
    {
        builder.Configuration.AddEnvironmentVariables("FLEET_");
        builder.Configuration.AddCommandLine(args, HubCommandLine.Switches.ToDictionary());
        HubOptions options;
        try
        {
            options = builder.Configuration.GetSection(HubOptions.Section).Get<HubOptions>() ?? new HubOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new HubStartFailure($"bad option value: {ex.InnerException?.Message ?? ex.Message}");
        }

        var errors = options.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new HubStartFailure(string.Join("; ", errors));
        }

        // The data dir holds the CA key, the secrets and the database: owner only, also when it already existed.
        DataDirectory.Secure(options.FullDataDir, options.ConnectionString);
        var pki = HubPki.LoadOrCreate(options, TimeProvider.System);

        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        var services = builder.Services;
        services.Configure<HubOptions>(builder.Configuration.GetSection(HubOptions.Section));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(pki);
        services.AddHubDatabase(options.ConnectionString);
        services.AddSingleton<AuditLog>();
        services.AddAccounts(options.ConnectionString);
        services.AddSingleton<ProductCatalog>();
        services.AddSingleton<DeviceRegistry>();
        services.AddSingleton<DeviceReports>();
        // Rollouts hears of a status first (attempts move before commands go out), then the deliveries below.
        services.AddSingleton<RolloutLedger>();
        services.AddSingleton<IDeviceStatusListener>(sp => sp.GetRequiredService<RolloutLedger>());
        services.AddSingleton<IDeviceUpdateListener>(sp => sp.GetRequiredService<RolloutLedger>());
        services.AddSingleton<HubTlsIdentity>();
        services.AddSingleton<HubAnchorDelivery>();
        services.AddSingleton<IDeviceStatusListener>(sp => sp.GetRequiredService<HubAnchorDelivery>());
        services.AddSingleton<DroppedMessages>();
        services.AddSingleton<DeviceChanges>();
        services.AddSingleton<PresenceWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<PresenceWriter>());
        services.AddSingleton<DeviceCommands>();
        services.AddSingleton<DeploymentCatalog>();
        services.AddSingleton<DeploymentPlanner>();
        services.AddSingleton<TelemetryQuery>();
        services.AddSingleton<HealthQuery>();
        services.AddSingleton<Firmware.FirmwareQuarantine>();
        services.AddSingleton<HealthRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthRetention>());
        services.AddSingleton(new BlobStore(options.FullBlobDir));
        services.AddFirmwareStore(options.FullDataDir);

        services.AddSingleton<TelemetryIngest>();
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryIngest>());
        // After the ingest: hosted services stop in reverse order, so the broker link drains (finishes storing and
        // acknowledges what it was handed) while the ingest still writes.
        services.AddDeviceLink(options);
        services.AddSingleton<IInboundHandler>(sp => sp.GetRequiredService<TelemetryIngest>());
        services.AddSingleton<IInboundHandler, DeviceStateHandlers>();
        services.AddSingleton<IInboundHandler, HealthIngest>();
        services.AddSingleton<DeviceInbox>();

        services.AddSingleton<RolloutSignal>();
        services.AddSingleton<RolloutProgressQuery>();
        services.AddSingleton(ChunkDeliveryHooks.FromEnvironment());
        services.AddSingleton<ChunkRequestCounter>();
        services.AddSingleton(new ChunkCache(ChunkCache.DefaultBudgetBytes));
        services.AddSingleton<IInboundHandler, FirmwareChunkServer>();
        services.AddSingleton<TrustDelivery>();
        services.AddSingleton<ITrustListener>(sp => sp.GetRequiredService<TrustDelivery>());
        services.AddSingleton<IDeviceStatusListener>(sp => sp.GetRequiredService<TrustDelivery>());
        services.AddSingleton<RolloutOrchestrator>();
        services.AddHostedService(sp => sp.GetRequiredService<RolloutOrchestrator>());

        services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        // Default deny: an endpoint that names no policy still needs a signed-in user or a token. What stays
        // anonymous says so with AllowAnonymous (listed in docs/hub.md, checked by AnonymousEndpointTests).
        services.AddAuthorization(a =>
        {
            a.AddActionPolicies();
            a.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        });
        services.AddHubWeb(options);
        // Run from the build output (dotnet Fleet.Hub.dll, tests, fleet demo), the UI's files and blazor.web.js are
        // found through the build's static web assets manifest; a published hub has them in wwwroot instead.
        builder.WebHost.UseStaticWebAssets();
        services.AddProblemDetails();
        services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityScheme>());

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(options.BindAddress, options.HttpPort, listen => listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => pki.ServerCertificate));
        });
        return options;
    }

    /// <summary>X-Forwarded-For/-Proto from the proxies listed in --trusted-proxies only; none listed: the
    /// middleware is not installed and the headers mean nothing. ASP.NET Core's default list (loopback) is cleared,
    /// so a local process is not trusted by accident.</summary>
    private static void UseTrustedProxies(this WebApplication app, HubOptions options)
    {
        if (options.TrustedProxyList.Count == 0)
        {
            return;
        }

        var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, ForwardLimit = 1 };
        forwarded.KnownIPNetworks.Clear();
        forwarded.KnownProxies.Clear();
        foreach (var proxy in options.TrustedProxyList)
        {
            if (IPAddress.TryParse(proxy, out var address))
            {
                forwarded.KnownProxies.Add(address);
            }
            else
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
            }
        }

        app.UseForwardedHeaders(forwarded);
    }

    /// <summary>Applies migrations and creates the first admin token and password (written 0600 to DATA/admin-token
    /// and DATA/admin-password, never printed).</summary>
    public static async Task PrepareAsync(this WebApplication app, HubOptions options)
    {
        var dbs = app.Services.GetRequiredService<IDbContextFactory<HubDb>>();
        await using (var accounts = await app.Services.GetRequiredService<IDbContextFactory<AccountsDb>>().CreateDbContextAsync())
        await using (var db = await dbs.CreateDbContextAsync())
        {
            await HubDatabase.MigrateAsync(accounts, db, CancellationToken.None);
            if (db.Database.IsSqlite())
            {
                // WAL lets the API read while the broker writes telemetry.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            }
        }

        await app.Services.GetRequiredService<HubTlsIdentity>().ChooseAsync(CancellationToken.None);

        // Publish the series from the start, so dashboards see zeros rather than nothing.
        HubMetrics.ConnectedDevices.Set(0);
        HubMetrics.MessagesIn.WithLabels("telemetry").IncTo(0);
        HubMetrics.Uploads.WithLabels("stored").IncTo(0);

        // First start: one user admin, with a password for the web UI and a token for the API.
        var admin = await app.Services.GetRequiredService<AccountDirectory>().BootstrapAdminAsync(CancellationToken.None);
        if (admin is not null)
        {
            FirstStartSecret.Write(Path.Combine(options.FullDataDir, "admin-token"), admin.Token.Token, "Admin API token");
            FirstStartSecret.Write(Path.Combine(options.FullDataDir, "admin-password"), admin.Password, $"Web UI sign-in password of user '{AccountDirectory.FirstAdmin}'");
        }
    }

    public static void MapHub(this WebApplication app, HubOptions options)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseTrustedProxies(options);
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();

        // Load balancers and `fleet` probe it before they hold a token; it says only "ok".
        app.MapGet("/healthz", () => TypedResults.Text("ok")).ExcludeFromDescription().AllowAnonymous();

        // The API's description: the same for every hub, no data of this one.
        app.MapOpenApi().AllowAnonymous();

        // Prometheus: a token with role view (scrape with bearer_token_file), like any read of the hub's state.
        app.MapMetrics().Requires(HubAction.ViewFleet);
        var api = app.MapGroup("/api/v1");
        api.MapAccountsApi();
        api.MapProductsApi();
        api.MapKeysApi();
        api.MapFirmwareApi();
        api.MapDeploymentsApi();
        api.MapDevicesApi();
        api.MapAuditApi();
        api.MapRolloutsApi();
        api.MapTrustApi();
        api.MapHubTlsApi();
        app.MapTufRepository();
        app.MapHubWeb();
    }
}
