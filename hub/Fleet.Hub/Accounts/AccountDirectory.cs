using Fleet.Hub.Audit;
using Fleet.Hub.Hosting;
using Fleet.Hub.Storage;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Hub.Accounts;

/// <summary>The Accounts facade: users with a role, and their API tokens (stored hashed).</summary>
internal sealed class AccountDirectory(IDbContextFactory<HubDb> dbs, AuditLog audit, TimeProvider clock)
{
    public async Task<Identity?> AuthenticateAsync(string token, CancellationToken ct)
    {
        var hash = TokenHash.Of(token);
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.ApiTokens.AsNoTracking()
            .Where(t => t.Hash == hash && t.RevokedAt == null)
            .Select(t => new Identity(t.Account!.Name, t.Account.Role, t.Name))
            .FirstOrDefaultAsync(ct);
    }

    /// <summary>First start: an admin account with one token, which the caller prints once and writes 0600.
    /// Null when an account exists already.</summary>
    public async Task<IssuedToken?> BootstrapAdminAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await db.Accounts.AnyAsync(ct))
        {
            return null;
        }

        var token = TokenHash.NewToken();
        var account = new Account { Name = "admin", Role = Roles.Admin, CreatedAt = clock.GetUtcNow() };
        account.Tokens.Add(new ApiToken { Name = "initial", Hash = TokenHash.Of(token), CreatedAt = clock.GetUtcNow() });
        db.Accounts.Add(account);
        audit.Record(db, Actor.Hub, "account.create", "account:admin", "role=admin (first start)");
        await db.SaveChangesAsync(ct);
        return new IssuedToken("admin", Roles.Admin, "initial", token);
    }

    public async Task<Outcome<IssuedToken>> CreateAsync(Actor actor, string name, string role, CancellationToken ct)
    {
        if (!Names.IsValid(name))
        {
            return Names.Invalid("user name", name);
        }

        if (!Roles.IsKnown(role))
        {
            return new Failure(FailureKind.Invalid, "unknown_role", $"role '{role}' is not one of {string.Join(", ", Roles.All)}");
        }

        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await db.Accounts.AnyAsync(a => a.Name == name, ct))
        {
            return new Failure(FailureKind.Conflict, "user_exists", $"user '{name}' exists already; pick another name or create a token for it");
        }

        var token = TokenHash.NewToken();
        var account = new Account { Name = name, Role = role, CreatedAt = clock.GetUtcNow() };
        account.Tokens.Add(new ApiToken { Name = "initial", Hash = TokenHash.Of(token), CreatedAt = clock.GetUtcNow() });
        db.Accounts.Add(account);
        audit.Record(db, actor, "account.create", $"account:{name}", $"role={role}");
        await db.SaveChangesAsync(ct);
        return new IssuedToken(name, role, "initial", token);
    }

    public async Task<Outcome<IssuedToken>> CreateTokenAsync(Actor actor, string user, string tokenName, CancellationToken ct)
    {
        if (!Names.IsValid(tokenName))
        {
            return Names.Invalid("token name", tokenName);
        }

        await using var db = await dbs.CreateDbContextAsync(ct);
        var account = await db.Accounts.Include(a => a.Tokens).FirstOrDefaultAsync(a => a.Name == user, ct);
        if (account is null)
        {
            return new Failure(FailureKind.NotFound, "unknown_user", $"no user '{user}'; list users with GET /api/v1/users");
        }

        if (account.Tokens.Any(t => t.Name == tokenName && t.RevokedAt == null))
        {
            return new Failure(FailureKind.Conflict, "token_exists", $"user '{user}' has a token named '{tokenName}' already");
        }

        var token = TokenHash.NewToken();
        account.Tokens.Add(new ApiToken { Name = tokenName, Hash = TokenHash.Of(token), CreatedAt = clock.GetUtcNow() });
        audit.Record(db, actor, "token.create", $"account:{user}", $"token={tokenName}");
        await db.SaveChangesAsync(ct);
        return new IssuedToken(user, account.Role, tokenName, token);
    }

    public async Task<Outcome<bool>> RevokeTokenAsync(Actor actor, string user, string tokenName, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.Account!.Name == user && t.Name == tokenName && t.RevokedAt == null, ct);
        if (token is null)
        {
            return new Failure(FailureKind.NotFound, "unknown_token", $"user '{user}' has no active token '{tokenName}'");
        }

        token.RevokedAt = clock.GetUtcNow();
        audit.Record(db, actor, "token.revoke", $"account:{user}", $"token={tokenName}");
        await db.SaveChangesAsync(ct);
        return true;
    }

    public async Task<IReadOnlyList<Account>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Accounts.AsNoTracking().Include(a => a.Tokens).OrderBy(a => a.Name).ToListAsync(ct);
    }
}
