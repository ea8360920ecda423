using System.Security.Claims;
using System.Text.Json;
using Fleet.Hub.Accounts;
using Fleet.Hub.Audit;
using Fleet.Hub.Deployments;
using Fleet.Hub.Devices;
using Fleet.Hub.Firmware;
using Fleet.Hub.Hosting;
using Fleet.Protocol.Messages;

namespace Fleet.Hub.Web;

/// <summary>What the UI's buttons call. Each method checks <see cref="Permissions"/> for the signed-in user first
/// (the control may be hidden, but a forged event must still be refused), then calls the facade, which audits the
/// change with the user as actor. Returns one line for the person: what happened, or why not.</summary>
internal sealed class UiActions(DeploymentCatalog deployments, Rollouts.RolloutLedger ledger, DeviceCommands commands, FirmwareStore firmware, FleetChanges changes,
    AccountDirectory accounts)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(15);

    public Task<UiOutcome> PauseAsync(ClaimsPrincipal user, string group, CancellationToken ct) =>
        GroupAsync(user, HubAction.PauseGroup, group, new GroupChanges(Paused: true), $"Paused {group}.", ct);

    public Task<UiOutcome> ResumeAsync(ClaimsPrincipal user, string group, CancellationToken ct) =>
        GroupAsync(user, HubAction.ResumeGroup, group, new GroupChanges(Paused: false), $"Resumed {group}.", ct);

    public Task<UiOutcome> ChangeFirmwareAsync(ClaimsPrincipal user, string group, string firmwareUuidOrVersion, CancellationToken ct) =>
        GroupAsync(user, HubAction.ChangeGroupFirmware, group, new GroupChanges(Firmware: firmwareUuidOrVersion), null, ct);

    public Task<UiOutcome> RebootAsync(ClaimsPrincipal user, string serial, CancellationToken ct) =>
        CommandAsync(user, HubAction.RebootDevice, serial, new DeviceCommand(CommandNames.Reboot), ct);

    public Task<UiOutcome> IdentifyAsync(ClaimsPrincipal user, string serial, CancellationToken ct) =>
        CommandAsync(user, HubAction.IdentifyDevice, serial, new DeviceCommand(CommandNames.Identify), ct);

    public Task<UiOutcome> MaintenanceAsync(ClaimsPrincipal user, string serial, bool on, CancellationToken ct) =>
        CommandAsync(user, HubAction.SetMaintenance, serial,
            new DeviceCommand(CommandNames.Maintenance, JsonSerializer.SerializeToElement(new MaintenanceArgs(on), FleetJson.Default.MaintenanceArgs)), ct);

    public async Task<UiOutcome> ClearPenaltyAsync(ClaimsPrincipal user, string serial, CancellationToken ct)
    {
        var (refused, actor) = await AuthorizeAsync(user, HubAction.ClearPenaltyBox, $"device:{serial}", ct);
        if (refused is not null)
        {
            return refused;
        }

        var cleared = await ledger.ClearPenaltyAsync(actor, serial, ct);
        if (!cleared.Ok)
        {
            return UiOutcome.Refused(cleared.Failure.Message);
        }

        changes.Publish("deployment", serial);
        return UiOutcome.Done($"{serial} is out of the penalty box; the rollout may offer it the update again.");
    }

    /// <summary>Null when the user may upload firmware now; otherwise the refusal (audited). Asked before the upload
    /// is streamed to disk, so a user who may not upload writes nothing.</summary>
    public async Task<UiOutcome?> UploadRefusalAsync(ClaimsPrincipal user, string product, CancellationToken ct) =>
        (await AuthorizeAsync(user, HubAction.UploadFirmware, $"product:{product}", ct)).Refused;

    public async Task<UiOutcome> UploadFirmwareAsync(ClaimsPrincipal user, string product, string bundlePath, CancellationToken ct)
    {
        var (refused, actor) = await AuthorizeAsync(user, HubAction.UploadFirmware, $"product:{product}", ct);
        if (refused is not null)
        {
            return refused;
        }

        var stored = await firmware.PublishAsync(actor, product, bundlePath, ct);
        return stored.Ok ? UiOutcome.Done($"Stored {stored.Value.Version} ({stored.Value.Uuid}).") : UiOutcome.Refused(stored.Failure.Message);
    }

    /// <summary>The Users page's table; empty for a user who may not manage users.</summary>
    public async Task<IReadOnlyList<UserSummary>> UsersAsync(ClaimsPrincipal user, CancellationToken ct) =>
        (await accounts.AuthorizeSignedInAsync(user, HubAction.ManageUsers, "users", auditRefusal: false, ct)).Ok ? await accounts.ListAsync(ct) : [];

    public Task<UiOutcome> CreateUserAsync(ClaimsPrincipal user, string name, string role, string password, CancellationToken ct) =>
        UserChangeAsync(user, name, a => accounts.CreateAsync(a, name, role, password is { Length: > 0 } ? password : null, null, null, ct),
            c => c.CanSignIn ? $"{name} can sign in now, as {role}." : $"{name} exists, as {role}; set a password so it can sign in.", ct);

    public Task<UiOutcome> SetRoleAsync(ClaimsPrincipal user, string name, string role, CancellationToken ct) =>
        UserChangeAsync(user, name, a => accounts.SetRoleAsync(a, name, role, ct), _ => $"{name} now has role {role}.", ct);

    public Task<UiOutcome> SetDisabledAsync(ClaimsPrincipal user, string name, bool disabled, CancellationToken ct) =>
        UserChangeAsync(user, name, a => accounts.SetDisabledAsync(a, name, disabled, ct),
            _ => disabled ? $"{name} is disabled: no sign-in, no token works." : $"{name} is enabled again.", ct);

    public Task<UiOutcome> DeleteUserAsync(ClaimsPrincipal user, string name, CancellationToken ct) =>
        UserChangeAsync(user, name, a => accounts.DeleteAsync(a, name, ct), _ => $"{name} is deleted, and its tokens with it.", ct);

    /// <summary>An empty password: the hub generates one, shown in the answer this once.</summary>
    public Task<UiOutcome> SetPasswordAsync(ClaimsPrincipal user, string name, string password, CancellationToken ct) =>
        UserChangeAsync(user, name, async a =>
            {
                var set = await accounts.SetPasswordAsync(a, name, password, ct);
                return set.Ok ? (Outcome<string>)(set.Value ?? "") : set.Failure!;
            },
            generated => generated.Length > 0 ? $"New password for {name} (shown once): {generated}" : $"{name} has a new password.", ct);

    public Task<UiOutcome> CreateTokenAsync(ClaimsPrincipal user, string name, string tokenName, string expires, CancellationToken ct) =>
        UserChangeAsync(user, name, a => accounts.CreateTokenAsync(a, name, tokenName, expires, ct),
            t => $"Token {tokenName} for {name} (shown once; expires {(t.ExpiresAt is { } at ? at.ToString("u") : "never")}): {t.Token}", ct);

    public Task<UiOutcome> RevokeTokenAsync(ClaimsPrincipal user, string name, string tokenName, CancellationToken ct) =>
        UserChangeAsync(user, name, a => accounts.RevokeTokenAsync(a, name, tokenName, ct), _ => $"Token {tokenName} of {name} is revoked.", ct);

    private async Task<UiOutcome> UserChangeAsync<T>(ClaimsPrincipal user, string name, Func<Actor, Task<Outcome<T>>> change, Func<T, string> done, CancellationToken ct)
    {
        var (refused, actor) = await AuthorizeAsync(user, HubAction.ManageUsers, $"user:{name}", ct);
        if (refused is not null)
        {
            return refused;
        }

        var changed = await change(actor);
        return changed.Ok ? UiOutcome.Done(done(changed.Value)) : UiOutcome.Refused(changed.Failure.Message);
    }

    private async Task<UiOutcome> GroupAsync(ClaimsPrincipal user, HubAction action, string group, GroupChanges change, string? done, CancellationToken ct)
    {
        var (refused, actor) = await AuthorizeAsync(user, action, $"deployment:{group}", ct);
        if (refused is not null)
        {
            return refused;
        }

        var updated = await deployments.UpdateAsync(actor, group, change, ct);
        if (!updated.Ok)
        {
            return UiOutcome.Refused(updated.Failure.Message);
        }

        changes.Publish("deployment", group);
        return UiOutcome.Done(done ?? $"{group} now ships {updated.Value.Firmware?.Version} ({updated.Value.Firmware?.Uuid}); the rollout starts at once.");
    }

    private async Task<UiOutcome> CommandAsync(ClaimsPrincipal user, HubAction action, string serial, DeviceCommand command, CancellationToken ct)
    {
        var (refused, actor) = await AuthorizeAsync(user, action, $"device:{serial}", ct);
        if (refused is not null)
        {
            return refused;
        }

        var answer = await commands.SendAsync(actor, serial, command, CommandTimeout, ct);
        if (!answer.Ok)
        {
            return UiOutcome.Refused(answer.Failure.Message);
        }

        return answer.Value.Ok
            ? UiOutcome.Done($"{serial} did '{command.Name}'.")
            : UiOutcome.Refused($"{serial} refused '{command.Name}': {answer.Value.Error ?? answer.Value.Detail}");
    }

    /// <summary>The directory decides, with the user as it holds it now (see
    /// <see cref="AccountDirectory.AuthorizeSignedInAsync"/>); a refusal is audited.</summary>
    private async Task<(UiOutcome? Refused, Actor Actor)> AuthorizeAsync(ClaimsPrincipal user, HubAction action, string subject, CancellationToken ct)
    {
        var decided = await accounts.AuthorizeSignedInAsync(user, action, subject, auditRefusal: true, ct);
        return decided.Ok ? (null, decided.Value) : (UiOutcome.Refused(decided.Failure.Message), new Actor("unknown"));
    }
}
