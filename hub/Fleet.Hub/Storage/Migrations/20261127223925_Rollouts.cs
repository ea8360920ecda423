using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Hub.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Rollouts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Architecture",
                table: "Devices",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "PenaltyUntil",
                table: "Devices",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Platform",
                table: "Devices",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PauseReason",
                table: "DeploymentGroups",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ResumedAt",
                table: "DeploymentGroups",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "RolloutAttempts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DeploymentGroupId = table.Column<int>(type: "INTEGER", nullable: true),
                    Serial = table.Column<string>(type: "TEXT", nullable: false),
                    FirmwareUuid = table.Column<string>(type: "TEXT", nullable: false),
                    FirmwareVersion = table.Column<string>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", nullable: false),
                    Stage = table.Column<string>(type: "TEXT", nullable: false),
                    Progress = table.Column<double>(type: "REAL", nullable: true),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastProgressAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", nullable: true),
                    ChunksRequested = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RolloutAttempts", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RolloutAttempts_DeploymentGroupId_State",
                table: "RolloutAttempts",
                columns: new[] { "DeploymentGroupId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_RolloutAttempts_Serial_FirmwareUuid",
                table: "RolloutAttempts",
                columns: new[] { "Serial", "FirmwareUuid" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RolloutAttempts");

            migrationBuilder.DropColumn(
                name: "Architecture",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "PenaltyUntil",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "Platform",
                table: "Devices");

            migrationBuilder.DropColumn(
                name: "PauseReason",
                table: "DeploymentGroups");

            migrationBuilder.DropColumn(
                name: "ResumedAt",
                table: "DeploymentGroups");
        }
    }
}
