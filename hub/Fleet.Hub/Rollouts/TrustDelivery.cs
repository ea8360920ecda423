using System.Collections.Concurrent;
using System.Text.Json;
using Fleet.Hub.Audit;
using Fleet.Hub.Deployments;
using Fleet.Hub.Devices;
using Fleet.Hub.Firmware;
using Fleet.Hub.Storage;
using Fleet.Protocol.Messages;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Rollouts;

/// <summary>Sends the <c>trust</c> command (every root, the current targets, the device's tags and groups) to a
/// device whenever what it should hold differs from what it was last given: when it reports older trust versions
/// (or none), when the product's metadata changes (its online devices), and when its tags or group membership
/// change (checked on each rollout pass). Idempotent on the device, so a repeat after a hub restart is harmless.</summary>
internal sealed class TrustDelivery(IDbContextFactory<HubDb> dbs, TrustQuery trust, DeviceCommands commands, ILogger<TrustDelivery> log)
    : ITrustListener, IDeviceStatusListener
{
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    // What each device was last given (versions, tags, groups), and the sends under way.
    private readonly ConcurrentDictionary<string, string> _delivered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _sending = new(StringComparer.Ordinal);

    public async Task OnTrustChangedAsync(string product, CancellationToken ct)
    {
        foreach (var plan in await PlanAsync(product, null, ct))
        {
            _ = SendAsync(plan, CancellationToken.None);
        }
    }

    public async Task OnStatusAsync(string serial, StatusMessage status, CancellationToken ct)
    {
        if (!status.Online)
        {
            _delivered.TryRemove(serial, out _);
            return;
        }

        string? product;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            product = await db.Devices.AsNoTracking().Where(d => d.Serial == serial && !d.Revoked).Select(d => d.Product!.Name).FirstOrDefaultAsync(ct);
        }

        if (product is null)
        {
            return;
        }

        foreach (var plan in await PlanAsync(product, serial, ct))
        {
            var behind = status.Trust is null || status.Trust.Root < plan.RootVersion || status.Trust.Targets < plan.TargetsVersion;
            if (behind && _delivered.TryGetValue(serial, out var answered) && answered == Refused(plan.Fingerprint))
            {
                // It refused exactly this (an agent without TUF support, or metadata it cannot verify): asking again
                // on each status would only repeat the refusal. A change of metadata or membership sends anew.
                continue;
            }

            if (behind)
            {
                // The device says it holds less than it was given (a reflash, a lost file): give it again.
                _delivered.TryRemove(serial, out _);
            }

            if (behind || !_delivered.TryGetValue(serial, out var last) || (last != plan.Fingerprint && last != Refused(plan.Fingerprint)))
            {
                _ = SendAsync(plan, CancellationToken.None);
            }
        }
    }

    /// <summary>Each rollout pass: online devices of products with TUF metadata whose tags or groups changed.</summary>
    public async Task ReconcileAsync(CancellationToken ct)
    {
        List<string> products;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            products = await db.TrustRoots.AsNoTracking().Join(db.Products, r => r.ProductId, p => p.Id, (r, p) => p.Name).Distinct().ToListAsync(ct);
        }

        foreach (var product in products)
        {
            foreach (var plan in await PlanAsync(product, null, ct))
            {
                if (!_delivered.TryGetValue(plan.Serial, out var last) || (last != plan.Fingerprint && last != Refused(plan.Fingerprint)))
                {
                    _ = SendAsync(plan, ct);
                }
            }
        }
    }

    /// <summary>The trust command for each online, unrevoked device of the product (or just <paramref name="serial"/>).</summary>
    private async Task<List<Plan>> PlanAsync(string product, string? serial, CancellationToken ct)
    {
        var state = await trust.GetAsync(product, ct);
        if (!state.Ok || !state.Value.IsActive)
        {
            return [];
        }

        await using var db = await dbs.CreateDbContextAsync(ct);
        var devices = await db.Devices.AsNoTracking().Include(d => d.Product)
            .Where(d => d.Product!.Name == product && !d.Revoked && d.Online && (serial == null || d.Serial == serial)).ToListAsync(ct);
        var groups = await db.DeploymentGroups.AsNoTracking().Include(g => g.Product).Include(g => g.Firmware).Where(g => g.Product!.Name == product).ToListAsync(ct);
        var s = state.Value;
        var roots = s.Roots.Select(Convert.ToBase64String).ToList();
        var targets = Convert.ToBase64String(s.Targets!);
        return [.. devices.Select(d =>
        {
            var member = groups.Where(g => GroupTargeting.Targets(g, d)).Select(g => g.Name).Order(StringComparer.Ordinal).ToList();
            var tags = d.Tags.Order(StringComparer.Ordinal).ToList();
            var update = new TrustUpdate(roots, targets, tags, member);
            return new Plan(d.Serial, s.RootVersion!.Value, s.TargetsVersion!.Value, update, $"{s.RootVersion}/{s.TargetsVersion}|{string.Join(',', tags)}|{string.Join(',', member)}");
        })];
    }

    private async Task SendAsync(Plan plan, CancellationToken ct)
    {
        if (!_sending.TryAdd(plan.Serial, true))
        {
            return;
        }

        try
        {
            var args = JsonSerializer.SerializeToElement(plan.Update, FleetJson.Default.TrustUpdate);
            var answer = await commands.SendAsync(Actor.Hub, plan.Serial, new DeviceCommand(CommandNames.Trust, args), AnswerTimeout, ct);
            if (!answer.Ok)
            {
                // Offline or silent: the next status or pass tries again.
                log.LogInformation("Trust v{Root}/{Targets} not delivered to {Serial}: {Reason}", plan.RootVersion, plan.TargetsVersion, plan.Serial, answer.Failure.Message);
                return;
            }

            // Recorded even when refused, so a device that refuses is not sent the same thing on every pass.
            _delivered[plan.Serial] = answer.Value.Ok ? plan.Fingerprint : Refused(plan.Fingerprint);
            if (!answer.Value.Ok)
            {
                log.LogWarning("Device {Serial} refused trust v{Root}/{Targets}: {Error}: {Detail}", plan.Serial, plan.RootVersion, plan.TargetsVersion, answer.Value.Error, answer.Value.Detail);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogWarning(ex, "Sending trust to {Serial} failed", plan.Serial);
        }
        finally
        {
            _sending.TryRemove(plan.Serial, out _);
        }
    }

    private static string Refused(string fingerprint) => fingerprint + "|refused";

    private sealed record Plan(string Serial, long RootVersion, long TargetsVersion, TrustUpdate Update, string Fingerprint);
}
