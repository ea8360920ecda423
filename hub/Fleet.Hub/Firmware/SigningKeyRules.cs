using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Firmware;

/// <summary>Firmware may ship to a group only when at least one of its signatures is by a registered key of its
/// product that is unrestricted or allowed for that group. So a developer key can be kept to a test group.</summary>
internal static class SigningKeyRules
{
    public static async Task<Failure?> CheckAllowedAsync(HubDb db, FirmwareRecord firmware, string groupName, CancellationToken ct)
    {
        var keys = await db.SigningKeys.AsNoTracking().Where(k => k.ProductId == firmware.ProductId && firmware.SignedBy.Contains(k.KeyId)).ToListAsync(ct);
        if (keys.Any(k => k.AllowedGroups.Count == 0 || k.AllowedGroups.Contains(groupName)))
        {
            return null;
        }

        var names = keys.Count == 0 ? "no registered key" : string.Join(", ", keys.Select(k => $"'{k.Name}' (groups: {string.Join(',', k.AllowedGroups)})"));
        return new Failure(FailureKind.Forbidden, "key_not_allowed_for_group",
            $"firmware {firmware.Version} ({firmware.Uuid}) is signed by {names}, none allowed for group '{groupName}'; sign it with a key allowed for that group");
    }
}
