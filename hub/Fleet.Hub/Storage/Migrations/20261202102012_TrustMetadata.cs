using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Hub.Storage.Migrations
{
    /// <inheritdoc />
    public partial class TrustMetadata : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "RevokedAt",
                table: "SigningKeys",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "DowngradePermits",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FirmwareId = table.Column<int>(type: "INTEGER", nullable: false),
                    Json = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Replaces = table.Column<string>(type: "TEXT", nullable: false),
                    Expires = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DowngradePermits", x => x.Id);
                    table.ForeignKey(
                        name: "FK_DowngradePermits_Firmware_FirmwareId",
                        column: x => x.FirmwareId,
                        principalTable: "Firmware",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TrustRoles",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ProductId = table.Column<int>(type: "INTEGER", nullable: false),
                    Role = table.Column<string>(type: "TEXT", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false),
                    Json = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Expires = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrustRoles", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TrustRoles_Products_ProductId",
                        column: x => x.ProductId,
                        principalTable: "Products",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TrustRoots",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ProductId = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false),
                    Json = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Expires = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrustRoots", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TrustRoots_Products_ProductId",
                        column: x => x.ProductId,
                        principalTable: "Products",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DowngradePermits_FirmwareId",
                table: "DowngradePermits",
                column: "FirmwareId");

            migrationBuilder.CreateIndex(
                name: "IX_TrustRoles_ProductId_Role",
                table: "TrustRoles",
                columns: new[] { "ProductId", "Role" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TrustRoots_ProductId_Version",
                table: "TrustRoots",
                columns: new[] { "ProductId", "Version" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DowngradePermits");

            migrationBuilder.DropTable(
                name: "TrustRoles");

            migrationBuilder.DropTable(
                name: "TrustRoots");

            migrationBuilder.DropColumn(
                name: "RevokedAt",
                table: "SigningKeys");
        }
    }
}
