package config

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	instanceClassPattern = regexp.MustCompile(`^db\.(serverless|[a-z][a-z0-9-]*\.[0-9]*(micro|small|medium|large|xlarge))$`)
	databaseNamePattern  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)
	dailyWindowPattern   = regexp.MustCompile(`^([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])$`)
	weeklyWindowPattern  = regexp.MustCompile(`^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):([0-5][0-9])-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):([0-5][0-9])$`)
	weekdays             = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
)

func (v validator) database(d fileDatabase, prof profile) (Database, error) {
	p := prof.database
	out := Database{
		EngineVersion:       AuroraMySQLVersions[0],
		InstanceClass:       p.instanceClass,
		Readers:             p.readers,
		ReaderTargetCPU:     DefaultReaderTargetCPU,
		BackupRetentionDays: p.defaultBackupDays,
		BackupWindow:        DefaultBackupWindow,
		MaintenanceWindow:   DefaultMaintenanceWindow,
		DeletionProtection:  true,
		FinalSnapshot:       true,
		DatabaseName:        DefaultDatabaseName,
		LogRetentionDays:    max(30, prof.minLogRetDays),
		PerformanceInsights: p.defaultPerfInsight,
	}
	set(&out.EngineVersion, d.EngineVersion)
	if !slices.Contains(AuroraMySQLVersions, out.EngineVersion) {
		return out, v.fail("database.engine_version", out.EngineVersion, "not an Aurora MySQL 3 version the platform supports", strings.Join(AuroraMySQLVersions, ", ")+" (quoted)")
	}

	set(&out.InstanceClass, d.InstanceClass)
	if !instanceClassPattern.MatchString(out.InstanceClass) {
		return out, v.fail("database.instance_class", out.InstanceClass, "not an RDS instance class", "e.g. db.r6g.large, db.t4g.medium or db.serverless")
	}
	serverless := out.InstanceClass == "db.serverless"
	for _, acu := range []struct {
		key  string
		val  *float64
		into *float64
		def  float64
	}{{"database.serverless_min_acu", d.ServerlessMinACU, &out.ServerlessMinACU, MinServerlessACU}, {"database.serverless_max_acu", d.ServerlessMaxACU, &out.ServerlessMaxACU, 8}} {
		switch {
		case acu.val != nil && !serverless:
			return out, v.fail(acu.key, strconv.FormatFloat(*acu.val, 'f', -1, 64), "only for instance_class db.serverless", "leave it out, or set instance_class: db.serverless")
		case acu.val != nil && (*acu.val < MinServerlessACU || *acu.val > MaxServerlessACU || *acu.val*2 != float64(int(*acu.val*2))):
			return out, v.fail(acu.key, strconv.FormatFloat(*acu.val, 'f', -1, 64), "not an Aurora Serverless v2 capacity", "0.5 to 256 in steps of 0.5")
		case acu.val != nil:
			*acu.into = *acu.val
		case serverless:
			*acu.into = acu.def
		}
	}
	if serverless && out.ServerlessMinACU > out.ServerlessMaxACU {
		return out, v.fail("database.serverless_min_acu", strconv.FormatFloat(out.ServerlessMinACU, 'f', -1, 64), "greater than serverless_max_acu "+strconv.FormatFloat(out.ServerlessMaxACU, 'f', -1, 64), "at most serverless_max_acu")
	}

	if err := v.intIn("database.readers", d.Readers, &out.Readers, p.minReaders, MaxAuroraReplicas); err != nil {
		return out, err
	}
	out.MaxReaders = max(out.Readers, p.defaultMaxReaders)
	if err := v.intIn("database.max_readers", d.MaxReaders, &out.MaxReaders, 0, MaxAuroraReplicas); err != nil {
		return out, err
	}
	if out.Readers > out.MaxReaders {
		return out, v.fail("database.max_readers", strconv.Itoa(out.MaxReaders), fmt.Sprintf("below readers (%d): autoscaling's minimum would exceed its maximum", out.Readers), fmt.Sprintf("%d to %d", out.Readers, MaxAuroraReplicas))
	}
	// Autoscaling tracks the readers' average CPU: with no reader there is no metric, and it
	// never adds one (Aurora user guide, Aurora Auto Scaling).
	if out.MaxReaders > out.Readers && out.Readers == 0 {
		return out, v.fail("database.max_readers", strconv.Itoa(out.MaxReaders), "autoscaling needs at least one reader to measure (readers is 0)", "0 (no autoscaling), or readers: 1 or more")
	}
	if err := v.intIn("database.reader_target_cpu", d.ReaderTargetCPU, &out.ReaderTargetCPU, 10, 90); err != nil {
		return out, err
	}

	if err := v.intIn("database.backup_retention_days", d.BackupRetentionDays, &out.BackupRetentionDays, p.minBackupDays, MaxBackupRetentionDays); err != nil {
		return out, err
	}
	set(&out.BackupWindow, d.BackupWindow)
	backup, err := v.dailyWindow("database.backup_window", out.BackupWindow)
	if err != nil {
		return out, err
	}
	set(&out.MaintenanceWindow, d.MaintenanceWindow)
	maintenance, err := v.weeklyWindow("database.maintenance_window", out.MaintenanceWindow)
	if err != nil {
		return out, err
	}
	for day := 0; day < 7; day++ {
		if overlaps(maintenance, [2]int{backup[0] + day*1440, backup[1] + day*1440}) {
			return out, v.fail("database.maintenance_window", out.MaintenanceWindow, "overlaps backup_window "+out.BackupWindow+" (RDS rejects overlapping windows)", "a weekly window outside the daily backup window")
		}
	}

	setBool(&out.DeletionProtection, d.DeletionProtection)
	setBool(&out.FinalSnapshot, d.FinalSnapshot)
	if p.requireProtection && !out.DeletionProtection {
		return out, v.fail("database.deletion_protection", "false", "this environment keeps data: deletion protection is required", "true")
	}
	if p.requireProtection && !out.FinalSnapshot {
		return out, v.fail("database.final_snapshot", "false", "this environment keeps data: a final snapshot is required", "true")
	}

	set(&out.DatabaseName, d.DatabaseName)
	if !databaseNamePattern.MatchString(out.DatabaseName) || slices.Contains([]string{"mysql", "sys", "information_schema", "performance_schema"}, strings.ToLower(out.DatabaseName)) {
		return out, v.fail("database.database_name", out.DatabaseName, "not a usable MySQL database name", "1-64 letters, digits and _, starting with a letter; not a system schema")
	}

	if d.LogRetentionDays != nil {
		r := *d.LogRetentionDays
		if !slices.Contains(logRetentionDays, r) || r < prof.minLogRetDays {
			return out, v.fail("database.log_retention_days", strconv.Itoa(r), "not a CloudWatch Logs retention period for this environment", retentionChoices(prof.minLogRetDays))
		}
		out.LogRetentionDays = r
	}

	setBool(&out.PerformanceInsights, d.PerformanceInsights)
	if out.PerformanceInsights && slices.ContainsFunc(noPerformanceInsights, func(prefix string) bool { return strings.HasPrefix(out.InstanceClass, prefix) }) {
		return out, v.fail("database.performance_insights", "true", "Aurora MySQL has no Performance Insights on "+out.InstanceClass, "false, or a larger instance class")
	}
	return out, nil
}

func set(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func setBool(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

// intIn takes an optional integer into dst when it is within [lo, hi].
func (v validator) intIn(key string, val *int, dst *int, lo, hi int) error {
	if val == nil {
		return nil
	}
	if *val < lo || *val > hi {
		return v.fail(key, strconv.Itoa(*val), "out of range for this environment", fmt.Sprintf("%d to %d", lo, hi))
	}
	*dst = *val
	return nil
}

// dailyWindow parses hh:mm-hh:mm (UTC, at least 30 minutes) into minutes of the day; the end
// may be after midnight.
func (v validator) dailyWindow(key, s string) ([2]int, error) {
	m := dailyWindowPattern.FindStringSubmatch(s)
	if m == nil {
		return [2]int{}, v.fail(key, s, "not a daily window", "hh:mm-hh:mm in UTC, at least 30 minutes, e.g. "+DefaultBackupWindow)
	}
	start, end := minutes(m[1], m[2]), minutes(m[3], m[4])
	if end <= start {
		end += 1440
	}
	if end-start < 30 {
		return [2]int{}, v.fail(key, s, "shorter than 30 minutes", "hh:mm-hh:mm in UTC, at least 30 minutes")
	}
	return [2]int{start, end}, nil
}

// weeklyWindow parses ddd:hh:mm-ddd:hh:mm (UTC, at least 30 minutes) into minutes of the week.
func (v validator) weeklyWindow(key, s string) ([2]int, error) {
	m := weeklyWindowPattern.FindStringSubmatch(s)
	if m == nil {
		return [2]int{}, v.fail(key, s, "not a weekly window", "ddd:hh:mm-ddd:hh:mm in UTC, at least 30 minutes, e.g. "+DefaultMaintenanceWindow)
	}
	start := slices.Index(weekdays, m[1])*1440 + minutes(m[2], m[3])
	end := slices.Index(weekdays, m[4])*1440 + minutes(m[5], m[6])
	if end <= start {
		end += 7 * 1440
	}
	if end-start < 30 {
		return [2]int{}, v.fail(key, s, "shorter than 30 minutes", "ddd:hh:mm-ddd:hh:mm in UTC, at least 30 minutes")
	}
	return [2]int{start, end}, nil
}

func minutes(h, m string) int {
	hh, _ := strconv.Atoi(h)
	mm, _ := strconv.Atoi(m)
	return hh*60 + mm
}

// overlaps: two [start, end) ranges on a weekly clock (a range may run past the week's end).
func overlaps(a, b [2]int) bool {
	const week = 7 * 1440
	for _, shift := range []int{-week, 0, week} {
		if a[0] < b[1]+shift && b[0]+shift < a[1] {
			return true
		}
	}
	return false
}
