using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Fleet.Hub.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Health : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "HealthSummaries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DeviceId = table.Column<int>(type: "INTEGER", nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Firmware = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    WindowSeconds = table.Column<double>(type: "REAL", nullable: false),
                    TankState = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    AlarmSeconds = table.Column<double>(type: "REAL", nullable: false),
                    FaultSeconds = table.Column<double>(type: "REAL", nullable: false),
                    WaterTemperatureError = table.Column<double>(type: "REAL", nullable: true),
                    PhInRange = table.Column<double>(type: "REAL", nullable: true),
                    OxygenSwing = table.Column<double>(type: "REAL", nullable: true),
                    TurbiditySlope = table.Column<double>(type: "REAL", nullable: true),
                    Restarts = table.Column<long>(type: "INTEGER", nullable: false),
                    Reconnects = table.Column<long>(type: "INTEGER", nullable: false),
                    MemoryBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    SensorsJson = table.Column<string>(type: "TEXT", nullable: false),
                    UnhealthySensors = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_HealthSummaries", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_HealthSummaries_DeviceId_Id",
                table: "HealthSummaries",
                columns: new[] { "DeviceId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_HealthSummaries_DeviceId_ReceivedAt",
                table: "HealthSummaries",
                columns: new[] { "DeviceId", "ReceivedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_HealthSummaries_ReceivedAt",
                table: "HealthSummaries",
                column: "ReceivedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "HealthSummaries");
        }
    }
}
