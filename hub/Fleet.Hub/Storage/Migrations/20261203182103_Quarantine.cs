using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Hub.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Quarantine : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "QuarantineClearedAt",
                table: "Firmware",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "QuarantineReason",
                table: "Firmware",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "QuarantinedAt",
                table: "Firmware",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "QuarantineAfter",
                table: "DeploymentGroups",
                type: "INTEGER",
                nullable: false,
                defaultValue: 2); // existing groups get the default threshold (docs/ota.md, Quarantine)
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "QuarantineClearedAt",
                table: "Firmware");

            migrationBuilder.DropColumn(
                name: "QuarantineReason",
                table: "Firmware");

            migrationBuilder.DropColumn(
                name: "QuarantinedAt",
                table: "Firmware");

            migrationBuilder.DropColumn(
                name: "QuarantineAfter",
                table: "DeploymentGroups");
        }
    }
}
