using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Fleet.Hub.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class OneAccountDirectory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The API accounts move into the one account directory (AccountsDb, migrated first, so its tables and
            // columns exist). A name in both stores becomes one user: the UI user's password, the API account's tokens,
            // the higher of the two roles (an upgrade takes nothing from either); the two first-start admins merge so.
            // Token hashes move as they are and never expire: existing tokens keep working.
            migrationBuilder.Sql("""
                INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "EmailConfirmed", "SecurityStamp", "ConcurrencyStamp",
                                           "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount", "Role", "Disabled", "CreatedAt")
                SELECT md5(random()::text || clock_timestamp()::text), a."Name", upper(a."Name"), false, upper(md5(random()::text || clock_timestamp()::text)), md5(random()::text || clock_timestamp()::text), false, false, true, 0, a."Role", false, a."CreatedAt"
                FROM "Accounts" a
                WHERE NOT EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."NormalizedUserName" = upper(a."Name"));
                UPDATE "AspNetUsers" SET "Role" = (SELECT a."Role" FROM "Accounts" a WHERE upper(a."Name") = "AspNetUsers"."NormalizedUserName")
                WHERE EXISTS (SELECT 1 FROM "Accounts" a WHERE upper(a."Name") = "AspNetUsers"."NormalizedUserName"
                              AND (CASE a."Role" WHEN 'admin' THEN 2 WHEN 'manage' THEN 1 WHEN 'view' THEN 0 ELSE -1 END) > (CASE "AspNetUsers"."Role" WHEN 'admin' THEN 2 WHEN 'manage' THEN 1 WHEN 'view' THEN 0 ELSE -1 END));
                UPDATE "AspNetUsers" SET "CreatedAt" = (SELECT a."CreatedAt" FROM "Accounts" a WHERE upper(a."Name") = "AspNetUsers"."NormalizedUserName")
                WHERE EXISTS (SELECT 1 FROM "Accounts" a WHERE upper(a."Name") = "AspNetUsers"."NormalizedUserName");
                INSERT INTO "AccountTokens" ("UserId", "Name", "Hash", "CreatedAt", "ExpiresAt", "LastUsedAt", "RevokedAt")
                SELECT u."Id", t."Name", t."Hash", t."CreatedAt", NULL, NULL, t."RevokedAt"
                FROM "ApiTokens" t
                JOIN "Accounts" a ON a."Id" = t."AccountId"
                JOIN "AspNetUsers" u ON u."NormalizedUserName" = upper(a."Name");
                """);

            migrationBuilder.DropTable(
                name: "ApiTokens");

            migrationBuilder.DropTable(
                name: "Accounts");

            migrationBuilder.AddColumn<string>(
                name: "Token",
                table: "Audit",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Token",
                table: "Audit");

            migrationBuilder.CreateTable(
                name: "Accounts",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Role = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Accounts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ApiTokens",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    AccountId = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    Hash = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    RevokedAt = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ApiTokens", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ApiTokens_Accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "Accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_Name",
                table: "Accounts",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokens_AccountId",
                table: "ApiTokens",
                column: "AccountId");

            migrationBuilder.CreateIndex(
                name: "IX_ApiTokens_Hash",
                table: "ApiTokens",
                column: "Hash",
                unique: true);
        }
    }
}
