-- LORIS tables read by loris-ephys-api, for tests against a real MariaDB.
-- Column names, types, keys and defaults are LORIS's own (aces/Loris SQL/0000-00-00-schema.sql,
-- 0000-00-01-Modules.sql, 0000-00-02-Permission.sql, 0000-00-03-ConfigTables.sql and
-- 0000-00-05-ElectrophysiologyTables.sql, main of 2026-06-29). Only foreign keys to tables not created here
-- (language, cohort, sex, caveat_options) are left out. The seeded lookup rows are LORIS's seeded rows; the
-- electrophysiology_browser module starts inactive, as in LORIS.
SET FOREIGN_KEY_CHECKS = 1;

CREATE TABLE `psc` (
  `CenterID` integer unsigned NOT NULL AUTO_INCREMENT,
  `Name` varchar(150) NOT NULL DEFAULT '',
  `PSCArea` varchar(150) DEFAULT NULL,
  `Address` varchar(150) DEFAULT NULL,
  `City` varchar(150) DEFAULT NULL,
  `StateID` tinyint(2) unsigned DEFAULT NULL,
  `ZIP` varchar(12) DEFAULT NULL,
  `Phone1` varchar(12) DEFAULT NULL,
  `Phone2` varchar(12) DEFAULT NULL,
  `Contact1` varchar(150) DEFAULT NULL,
  `Contact2` varchar(150) DEFAULT NULL,
  `Alias` char(4) NOT NULL DEFAULT '',
  `MRI_alias` varchar(4) NOT NULL DEFAULT '',
  `Account` varchar(8) DEFAULT NULL,
  `Study_site` enum('N','Y') DEFAULT 'Y',
  PRIMARY KEY (`CenterID`),
  UNIQUE KEY `Name` (`Name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `Project` (
  `ProjectID` INT(10) unsigned NOT NULL AUTO_INCREMENT,
  `Name` VARCHAR(255) NOT NULL,
  `Alias` char(4) NOT NULL,
  `recruitmentTarget` INT(6) Default NULL,
  `showSummaryOnLogin` BOOLEAN DEFAULT TRUE,
  PRIMARY KEY (`ProjectID`),
  UNIQUE KEY `u_ProjectName` (`Name`)
) ENGINE = InnoDB  DEFAULT CHARSET=utf8;

CREATE TABLE `candidate` (
  `ID` int(10) unsigned NOT NULL PRIMARY KEY AUTO_INCREMENT,
  `CandID` int(10) unsigned NOT NULL,
  `PSCID` varchar(255) NOT NULL DEFAULT '',
  `ExternalID` varchar(255) DEFAULT NULL,
  `DoB` date DEFAULT NULL,
  `DoD` date DEFAULT NULL,
  `DoD_precision` enum('known_full','known_year_month','known_year','unknown') DEFAULT NULL,
  `EDC` date DEFAULT NULL,
  `Sex` varchar(255) DEFAULT NULL,
  `RegistrationCenterID` integer unsigned NOT NULL,
  `RegistrationProjectID` int(10) unsigned NOT NULL,
  `Ethnicity` varchar(255) DEFAULT NULL,
  `Active` enum('Y','N') NOT NULL DEFAULT 'Y',
  `Date_active` date DEFAULT NULL,
  `RegisteredBy` varchar(255) DEFAULT NULL,
  `UserID` varchar(255) NOT NULL DEFAULT '',
  `Date_registered` date DEFAULT NULL,
  `flagged_caveatemptor` enum('true','false') DEFAULT 'false',
  `flagged_reason` int(6) DEFAULT NULL,
  `flagged_other` varchar(255) DEFAULT NULL,
  `flagged_other_status` enum('not_answered') DEFAULT NULL,
  `Testdate` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  `Entity_type` enum('Human','Scanner') NOT NULL DEFAULT 'Human',
  `ProbandSex` varchar(255) DEFAULT NULL,
  `ProbandDoB` date DEFAULT NULL,
  UNIQUE KEY `ID` (`ID`),
  UNIQUE KEY `ExternalID` (`ExternalID`),
  KEY `FK_candidate_1` (`RegistrationCenterID`),
  KEY `CandidateActive` (`Active`),
  KEY `FK_candidate_2_idx` (`flagged_reason`),
  KEY `PSCID` (`PSCID`),
  KEY `FK_candidate_sex_1` (`Sex`),
  KEY `FK_candidate_sex_2` (`ProbandSex`),
  CONSTRAINT `FK_candidate_1` FOREIGN KEY (`RegistrationCenterID`) REFERENCES `psc` (`CenterID`),
  CONSTRAINT `FK_candidate_RegistrationProjectID` FOREIGN KEY (`RegistrationProjectID`) REFERENCES `Project` (`ProjectID`) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `session` (
  `ID` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `CandidateID` int(10) unsigned NOT NULL,
  `CenterID` integer unsigned NOT NULL,
  `ProjectID` int(10) unsigned NOT NULL,
  `VisitNo` smallint(5) unsigned DEFAULT NULL,
  `Visit_label` varchar(255) NOT NULL,
  `CohortID` int(10) unsigned DEFAULT NULL,
  `Submitted` enum('Y','N') NOT NULL DEFAULT 'N',
  `Current_stage` enum('Not Started','Screening','Visit','Approval','Subject','Recycling Bin') NOT NULL DEFAULT 'Not Started',
  `Date_stage_change` date DEFAULT NULL,
  `Screening` enum('Pass','Failure','Withdrawal','In Progress') DEFAULT NULL,
  `Date_screening` date DEFAULT NULL,
  `Visit` enum('Pass','Failure','Withdrawal','In Progress') DEFAULT NULL,
  `Date_visit` date DEFAULT NULL,
  `Date_status_change` date DEFAULT NULL,
  `Approval` enum('In Progress','Pass','Failure') DEFAULT NULL,
  `Date_approval` date DEFAULT NULL,
  `Active` enum('Y','N') NOT NULL DEFAULT 'Y',
  `Date_active` date DEFAULT NULL,
  `RegisteredBy` varchar(255) DEFAULT NULL,
  `UserID` varchar(255) NOT NULL DEFAULT '',
  `Date_registered` date DEFAULT NULL,
  `Testdate` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  `Hardcopy_request` enum('-','N','Y') NOT NULL DEFAULT '-',
  `BVLQCStatus` enum('Complete') DEFAULT NULL,
  `BVLQCType` enum('Visual','Hardcopy') DEFAULT NULL,
  `BVLQCExclusion` enum('Excluded','Not Excluded') DEFAULT NULL,
  `QCd` enum('Visual','Hardcopy') DEFAULT NULL,
  `MRIQCStatus` enum('','Pass','Fail') NOT NULL DEFAULT '',
  `MRIQCPending` enum('Y','N') NOT NULL DEFAULT 'N',
  `MRIQCFirstChangeTime` datetime DEFAULT NULL,
  `MRIQCLastChangeTime` datetime DEFAULT NULL,
  `MRICaveat` enum('true','false') NOT NULL DEFAULT 'false',
  `languageID` integer unsigned DEFAULT NULL,
  PRIMARY KEY (`ID`),
  KEY `session_candVisit` (`CandidateID`,`VisitNo`),
  KEY `FK_session_2` (`CenterID`),
  KEY `SessionCohort` (`CohortID`),
  KEY `SessionActive` (`Active`),
  CONSTRAINT `FK_session_1` FOREIGN KEY (`CandidateID`) REFERENCES `candidate`(`ID`),
  CONSTRAINT `FK_session_2` FOREIGN KEY (`CenterID`) REFERENCES `psc` (`CenterID`),
  CONSTRAINT `FK_session_ProjectID` FOREIGN KEY (`ProjectID`) REFERENCES `Project` (`ProjectID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COMMENT='Table holding session information';

CREATE TABLE `users` (
  `ID` int(10) unsigned NOT NULL auto_increment,
  `UserID` varchar(255) NOT NULL default '',
  `Password` varchar(255) default NULL,
  `Real_name` varchar(255) default NULL,
  `First_name` varchar(255) default NULL,
  `Last_name` varchar(255) default NULL,
  `Degree` varchar(255) default NULL,
  `Position_title` varchar(255) default NULL,
  `Institution` varchar(255) default NULL,
  `Department` varchar(255) default NULL,
  `Address` varchar(255) default NULL,
  `City` varchar(255) default NULL,
  `State` varchar(255) default NULL,
  `Zip_code` varchar(255) default NULL,
  `Country` varchar(255) default NULL,
  `Phone` varchar(15) default NULL,
  `Fax` varchar(255) default NULL,
  `Email` varchar(255) NOT NULL default '',
  `Privilege` tinyint(1) NOT NULL default 0,
  `PSCPI` enum('Y','N') NOT NULL default 'N',
  `DBAccess` varchar(10) NOT NULL default '',
  `Active` enum('Y','N') NOT NULL default 'Y',
  `Password_hash` varchar(255) default NULL,
  `PasswordChangeRequired` tinyint(1) NOT NULL default 0,
  `TOTPSecret` binary(64) DEFAULT NULL,
  `Pending_approval` enum('Y','N') default 'Y',
  `Doc_Repo_Notifications` enum('Y','N') default 'N',
  `language_preference` integer unsigned default NULL,
  `active_from` date default NULL,
  `active_to` date default NULL,
  `account_request_date` date default NULL,
  PRIMARY KEY (`ID`),
  UNIQUE KEY `Email` (`Email`),
  UNIQUE KEY `UserID` (`UserID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `user_psc_rel` (
  `UserID` int(10) unsigned NOT NULL,
  `CenterID` integer unsigned NOT NULL,
  PRIMARY KEY (`UserID`,`CenterID`),
  KEY `FK_user_psc_rel_2` (`CenterID`),
  CONSTRAINT `FK_user_psc_rel_2` FOREIGN KEY (`CenterID`) REFERENCES `psc` (`CenterID`) ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT `FK_user_psc_rel_1` FOREIGN KEY (`UserID`) REFERENCES `users` (`ID`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `user_project_rel` (
  `UserID` int(10) unsigned NOT NULL,
  `ProjectID` int(10) unsigned NOT NULL,
  PRIMARY KEY (`UserID`,`ProjectID`),
  CONSTRAINT `FK_user_project_rel_UserID` FOREIGN KEY (`UserID`) REFERENCES `users` (`ID`) ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT `FK_user_project_rel_ProjectID` FOREIGN KEY (`ProjectID`) REFERENCES `Project` (`ProjectID`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `modules` (
  `ID` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `Name` varchar(255) NOT NULL,
  `Active` enum('Y','N') NOT NULL,
  PRIMARY KEY (`ID`),
  UNIQUE KEY `modules_id` (`Name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `permissions_category` (
  `ID` int(10) NOT NULL AUTO_INCREMENT,
  `Description` varchar(255) NOT NULL,
  PRIMARY KEY (`ID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `permissions` (
  `permID` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `code` varchar(255) NOT NULL DEFAULT '',
  `description` varchar(255) NOT NULL DEFAULT '',
  `moduleID` int(11) unsigned,
  `categoryID` int(10) NOT NULL DEFAULT '2',
  PRIMARY KEY (`permID`),
  UNIQUE KEY `code` (`code`),
  KEY `fk_permissions_1_idx` (`categoryID`),
  CONSTRAINT `fk_permissions_1` FOREIGN KEY (`categoryID`) REFERENCES `permissions_category` (`ID`) ON DELETE NO ACTION ON UPDATE NO ACTION,
  CONSTRAINT `fk_permissions_2` FOREIGN KEY (`moduleID`) REFERENCES `modules` (`ID`) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `user_perm_rel` (
  `userID` int(10) unsigned NOT NULL default '0',
  `permID` int(10) unsigned NOT NULL default '0',
  PRIMARY KEY (`userID`,`permID`),
  KEY `FK_user_perm_rel_2` (`permID`),
  CONSTRAINT `FK_user_perm_rel_2` FOREIGN KEY (`permID`) REFERENCES `permissions` (`permID`) ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT `FK_user_perm_rel_1` FOREIGN KEY (`userID`) REFERENCES `users` (`ID`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `ConfigSettings` (
  `ID` int(11) NOT NULL AUTO_INCREMENT,
  `Name` varchar(255) NOT NULL,
  `Description` varchar(255) DEFAULT NULL,
  `Visible` tinyint(1) DEFAULT '0',
  `AllowMultiple` tinyint(1) DEFAULT '0',
  `DataType` ENUM('text','boolean','email','instrument','textarea','scan_type','date_format','lookup_center','path','web_path', 'log_level') DEFAULT NULL,
  `Parent` int(11) DEFAULT NULL,
  `Label` varchar(255) DEFAULT NULL,
  `OrderNumber` int(11) DEFAULT NULL,
  `Multilingual` boolean DEFAULT false,
  PRIMARY KEY (`ID`),
  UNIQUE KEY `Name` (`Name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `Config` (
  `ID` int(11) NOT NULL AUTO_INCREMENT,
  `ConfigID` int(11) NOT NULL,
  `Value` text,
  PRIMARY KEY (`ID`),
  KEY `fk_Config_1_idx` (`ConfigID`),
  CONSTRAINT `fk_Config_1` FOREIGN KEY (`ConfigID`) REFERENCES `ConfigSettings` (`ID`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `ImagingFileTypes` (
  `type` varchar(12) NOT NULL PRIMARY KEY,
  `description` varchar(255) DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `parameter_type` (
  `ParameterTypeID` int(10) unsigned NOT NULL auto_increment,
  `Name` varchar(255) NOT NULL default '',
  `Alias` varchar(255) default NULL,
  `Type` text,
  `Description` text,
  `RangeMin` double default NULL,
  `RangeMax` double default NULL,
  `SourceField` text,
  `SourceFrom` VARCHAR(255),
  `SourceCondition` text,
  `Queryable` tinyint(1) default 1,
  `IsFile` tinyint(1) default 0,
  PRIMARY KEY (`ParameterTypeID`),
  KEY `name` (`Name`),
  UNIQUE `name_sourceFrom_index` (`Name`, `SourceFrom`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8 COMMENT='dictionary of all the variables in the project';

CREATE TABLE `meg_ctf_head_shape_file` (
  `ID` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
  `Path` VARCHAR(255) NOT NULL,
  `Blake2bHash` VARCHAR(128) NOT NULL,
  PRIMARY KEY (`ID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `meg_ctf_head_shape_point` (
  `ID` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
  `FileID` INT(10) UNSIGNED NOT NULL,
  `Name` VARCHAR(255) NOT NULL,
  `X` DECIMAL(10, 6) NOT NULL,
  `Y` DECIMAL(10, 6) NOT NULL,
  `Z` DECIMAL(10, 6) NOT NULL,
  PRIMARY KEY (`ID`),
  CONSTRAINT `FK_meg_ctf_head_shape_FileID` FOREIGN KEY (`FileID`) REFERENCES `meg_ctf_head_shape_file`(`ID`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `physiological_modality` (
  `PhysiologicalModalityID` INT(5) UNSIGNED NOT NULL AUTO_INCREMENT,
  `PhysiologicalModality` VARCHAR(50) NOT NULL UNIQUE,
  PRIMARY KEY (`PhysiologicalModalityID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `physiological_output_type` (
  `PhysiologicalOutputTypeID` INT(5) UNSIGNED NOT NULL AUTO_INCREMENT,
  `OutputTypeName` VARCHAR(20) NOT NULL UNIQUE,
  `OutputTypeDescription` VARCHAR(255),
  PRIMARY KEY (`PhysiologicalOutputTypeID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `physiological_file` (
  `PhysiologicalFileID` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
  `PhysiologicalModalityID` INT(5) UNSIGNED DEFAULT NULL,
  `PhysiologicalOutputTypeID` INT(5) UNSIGNED NOT NULL,
  `SessionID` INT(10) UNSIGNED NOT NULL,
  `InsertTime` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  `FileType` VARCHAR(12) DEFAULT NULL,
  `AcquisitionTime` DATETIME DEFAULT NULL,
  `InsertedByUser` VARCHAR(50) NOT NULL,
  `FilePath` VARCHAR(255) NOT NULL,
  `Index` INT(5) DEFAULT NULL,
  `ParentID` INT(10) unsigned DEFAULT NULL,
  `HeadShapeFileID` INT(10) unsigned DEFAULT NULL,
  PRIMARY KEY (`PhysiologicalFileID`),
  CONSTRAINT `FK_session_ID` FOREIGN KEY (`SessionID`) REFERENCES `session` (`ID`),
  CONSTRAINT `FK_ImagingFileTypes_type` FOREIGN KEY (`FileType`) REFERENCES `ImagingFileTypes` (`type`),
  CONSTRAINT `FK_phys_modality_ModID` FOREIGN KEY (`PhysiologicalModalityID`) REFERENCES `physiological_modality` (`PhysiologicalModalityID`),
  CONSTRAINT `FK_phys_output_type_TypeID` FOREIGN KEY (`PhysiologicalOutputTypeID`) REFERENCES `physiological_output_type` (`PhysiologicalOutputTypeID`),
  CONSTRAINT `FK_ParentID` FOREIGN KEY (`ParentID`) REFERENCES `physiological_file` (`PhysiologicalFileID`),
  CONSTRAINT `FK_head_shape_HeadShapeFileID` FOREIGN KEY (`HeadShapeFileID`) REFERENCES `meg_ctf_head_shape_file` (`ID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `physiological_parameter_file` (
  `PhysiologicalParameterFileID` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
  `PhysiologicalFileID` INT(10) UNSIGNED DEFAULT NULL,
  `ProjectID` INT(10) UNSIGNED DEFAULT NULL,
  `ParameterTypeID` INT(10) UNSIGNED NOT NULL,
  `InsertTime` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  `Value` TEXT,
  PRIMARY KEY (`PhysiologicalParameterFileID`),
  CONSTRAINT `FK_phys_file_FileID` FOREIGN KEY (`PhysiologicalFileID`) REFERENCES `physiological_file` (`PhysiologicalFileID`) ON DELETE CASCADE,
  CONSTRAINT `FK_param_type_ParamTypeID` FOREIGN KEY (`ParameterTypeID`) REFERENCES `parameter_type` (`ParameterTypeID`),
  CONSTRAINT `FK_ppf_project_ID` FOREIGN KEY (`ProjectID`) REFERENCES `Project` (`ProjectID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `physiological_status_type` (
  `PhysiologicalStatusTypeID` INT(5) UNSIGNED NOT NULL AUTO_INCREMENT,
  `ChannelStatus` VARCHAR(10) NOT NULL UNIQUE,
  PRIMARY KEY (`PhysiologicalStatusTypeID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `physiological_channel_type` (
  `PhysiologicalChannelTypeID` INT(5) UNSIGNED NOT NULL AUTO_INCREMENT,
  `ChannelTypeName` VARCHAR(255) NOT NULL UNIQUE,
  `ChannelDescription` VARCHAR(255) DEFAULT NULL,
  PRIMARY KEY (`PhysiologicalChannelTypeID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `physiological_channel` (
  `PhysiologicalChannelID` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
  `PhysiologicalFileID` INT(10) UNSIGNED NOT NULL,
  `PhysiologicalChannelTypeID` INT(5) UNSIGNED NOT NULL,
  `PhysiologicalStatusTypeID` INT(5) UNSIGNED DEFAULT NULL,
  `InsertTime` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  `Name` VARCHAR(50) NOT NULL,
  `Description` VARCHAR(255) DEFAULT NULL,
  `SamplingFrequency` INT(6) DEFAULT NULL,
  `LowCutoff` DECIMAL(8,3) DEFAULT NULL,
  `HighCutoff` DECIMAL(8,3) DEFAULT NULL,
  `ManualFlag` DECIMAL(5,4) DEFAULT NULL,
  `Notch` INT(6) DEFAULT NULL,
  `Reference` VARCHAR(255) DEFAULT NULL,
  `StatusDescription` VARCHAR(255) DEFAULT NULL,
  `Unit` VARCHAR(255) DEFAULT NULL,
  `FilePath` VARCHAR(255) DEFAULT NULL,
  PRIMARY KEY (`PhysiologicalChannelID`),
  CONSTRAINT `FK_phys_file_FileID_2` FOREIGN KEY (`PhysiologicalFileID`) REFERENCES `physiological_file` (`PhysiologicalFileID`) ON DELETE CASCADE,
  CONSTRAINT `FK_phys_channel_type_TypeID` FOREIGN KEY (`PhysiologicalChannelTypeID`) REFERENCES `physiological_channel_type` (`PhysiologicalChannelTypeID`),
  CONSTRAINT `FK_phys_status_type_TypeID` FOREIGN KEY (`PhysiologicalStatusTypeID`) REFERENCES `physiological_status_type` (`PhysiologicalStatusTypeID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `physiological_coord_system_type` (
  `PhysiologicalCoordSystemTypeID` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
  `Name` VARCHAR(20) NOT NULL UNIQUE,
  PRIMARY KEY (`PhysiologicalCoordSystemTypeID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `physiological_coord_system_name` (
  `PhysiologicalCoordSystemNameID` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
  `Name` VARCHAR(25) NOT NULL UNIQUE,
  `Orientation` VARCHAR(5) NULL,
  `Origin` VARCHAR(50) NULL,
  PRIMARY KEY (`PhysiologicalCoordSystemNameID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `physiological_coord_system_unit` (
  `PhysiologicalCoordSystemUnitID` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
  `Name` VARCHAR(20) NOT NULL UNIQUE,
  `Symbol` VARCHAR(5) NULL UNIQUE,
  PRIMARY KEY (`PhysiologicalCoordSystemUnitID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `physiological_coord_system` (
  `PhysiologicalCoordSystemID` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
  `NameID` INT(10) UNSIGNED NOT NULL,
  `TypeID` INT(10) UNSIGNED NOT NULL,
  `UnitID` INT(10) UNSIGNED NOT NULL,
  `ModalityID` INT(5) UNSIGNED NOT NULL,
  `FilePath` VARCHAR(255) NULL,
  PRIMARY KEY (`PhysiologicalCoordSystemID`),
  CONSTRAINT `FK_PhysCoordSystemType_type` FOREIGN KEY (`TypeID`) REFERENCES `physiological_coord_system_type` (`PhysiologicalCoordSystemTypeID`),
  CONSTRAINT `FK_PhysCoordSystemName_name` FOREIGN KEY (`NameID`) REFERENCES `physiological_coord_system_name` (`PhysiologicalCoordSystemNameID`),
  CONSTRAINT `FK_PhysCoordSystemUnit_unit` FOREIGN KEY (`UnitID`) REFERENCES `physiological_coord_system_unit` (`PhysiologicalCoordSystemUnitID`),
  CONSTRAINT `FK_PhysCoordSystemModality_modality` FOREIGN KEY (`ModalityID`) REFERENCES `physiological_modality` (`PhysiologicalModalityID`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8;

CREATE TABLE `point_3d` (
  `Point3DID` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
  `X` DOUBLE NULL,
  `Y` DOUBLE NULL,
  `Z` DOUBLE NULL,
  PRIMARY KEY (`Point3DID`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8;

CREATE TABLE `physiological_electrode_type` (
  `PhysiologicalElectrodeTypeID` INT(5) UNSIGNED NOT NULL AUTO_INCREMENT,
  `ElectrodeType` VARCHAR(50) NOT NULL UNIQUE,
  PRIMARY KEY (`PhysiologicalElectrodeTypeID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `physiological_electrode_material` (
  `PhysiologicalElectrodeMaterialID` INT(5) UNSIGNED NOT NULL AUTO_INCREMENT,
  `ElectrodeMaterial` VARCHAR(50) NOT NULL UNIQUE,
  PRIMARY KEY (`PhysiologicalElectrodeMaterialID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `physiological_electrode` (
  `PhysiologicalElectrodeID` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
  `PhysiologicalElectrodeTypeID` INT(5) UNSIGNED DEFAULT NULL,
  `PhysiologicalElectrodeMaterialID` INT(5) UNSIGNED DEFAULT NULL,
  `Name` VARCHAR(50) NOT NULL,
  `Point3DID` INT(10) UNSIGNED NOT NULL,
  `Impedance` INT(10) DEFAULT NULL,
  `FilePath` VARCHAR(255) DEFAULT NULL,
  PRIMARY KEY (`PhysiologicalElectrodeID`),
  CONSTRAINT `FK_phys_elec_type_ID` FOREIGN KEY (`PhysiologicalElectrodeTypeID`) REFERENCES `physiological_electrode_type` (`PhysiologicalElectrodeTypeID`),
  CONSTRAINT `FK_phys_elec_material_ID` FOREIGN KEY (`PhysiologicalElectrodeMaterialID`) REFERENCES `physiological_electrode_material` (`PhysiologicalElectrodeMaterialID`),
  CONSTRAINT `FK_phys_electrode_point_3d` FOREIGN KEY (`Point3DID`) REFERENCES `point_3d`(`Point3DID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `physiological_coord_system_point_3d_rel` (
  `PhysiologicalCoordSystemID` INT(10) UNSIGNED NOT NULL,
  `Point3DID` INT(10) UNSIGNED NOT NULL,
  `Name` VARCHAR(50) NULL,
  PRIMARY KEY (`PhysiologicalCoordSystemID`, `Point3DID`),
  CONSTRAINT `fk_phys_coord_system_point_3d_rel_coord_system` FOREIGN KEY (`PhysiologicalCoordSystemID`) REFERENCES `physiological_coord_system` (`PhysiologicalCoordSystemID`),
  CONSTRAINT `fk_phys_coord_system_point_3d_rel_point` FOREIGN KEY (`Point3DID`) REFERENCES `point_3d` (`Point3DID`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8;

CREATE TABLE `physiological_coord_system_electrode_rel` (
  `PhysiologicalCoordSystemID` INT(10) UNSIGNED NOT NULL,
  `PhysiologicalElectrodeID` INT(10) UNSIGNED NOT NULL,
  `PhysiologicalFileID` INT(10) UNSIGNED NOT NULL,
  `InsertTime` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY ( `PhysiologicalCoordSystemID`, `PhysiologicalElectrodeID` ),
  CONSTRAINT `FK_phys_coord_system_electrode_rel_coord_system` FOREIGN KEY (`PhysiologicalCoordSystemID`) REFERENCES `physiological_coord_system` (`PhysiologicalCoordSystemID`),
  CONSTRAINT `FK_phys_coord_system_electrode_rel_electrode` FOREIGN KEY (`PhysiologicalElectrodeID`) REFERENCES `physiological_electrode` (`PhysiologicalElectrodeID`),
  CONSTRAINT `FK_phys_coord_system_electrode_rel_phys_file` FOREIGN KEY (`PhysiologicalFileID`) REFERENCES `physiological_file` (`PhysiologicalFileID`) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8;

CREATE TABLE `physiological_event_file` (
  `EventFileID` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `PhysiologicalFileID` int(10) unsigned DEFAULT NULL,
  `ProjectID` int(10) unsigned DEFAULT NULL,
  `FileType` varchar(20) NOT NULL,
  `FilePath` varchar(255) DEFAULT NULL,
  `LastUpdate` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  `LastWritten` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (`EventFileID`),
  KEY `FK_physio_file_ID` (`PhysiologicalFileID`),
  KEY `FK_event_file_type` (`FileType`),
  CONSTRAINT `FK_event_file_type` FOREIGN KEY (`FileType`) REFERENCES `ImagingFileTypes` (`type`),
  CONSTRAINT `FK_physio_file_ID` FOREIGN KEY (`PhysiologicalFileID`) REFERENCES `physiological_file` (`PhysiologicalFileID`),
  CONSTRAINT `FK_pef_project_ID` FOREIGN KEY (`ProjectID`) REFERENCES `Project` (`ProjectID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8
;

CREATE TABLE `physiological_task_event` (
  `PhysiologicalTaskEventID` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
  `PhysiologicalFileID` INT(10) UNSIGNED NOT NULL,
  `EventFileID` INT(10) unsigned NOT NULL,
  `InsertTime` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  `Onset` DECIMAL(11,6) NOT NULL,
  `Duration` DECIMAL(11,6) NOT NULL,
  `Channel` TEXT DEFAULT NULL,
  `EventCode` INT(10) DEFAULT NULL,
  `EventValue` varchar(255) DEFAULT NULL,
  `EventSample` INT(10) DEFAULT NULL,
  `EventType` VARCHAR(50) DEFAULT NULL,
  `TrialType` VARCHAR(255) DEFAULT NULL,
  `ResponseTime` decimal(11,6) DEFAULT NULL,
  PRIMARY KEY (`PhysiologicalTaskEventID`),
  KEY `FK_event_file` (`EventFileID`),
  INDEX idx_pte_EventValue (`EventValue`),
  INDEX idx_pte_TrialType (`TrialType`),
  CONSTRAINT `FK_phys_file_FileID_4` FOREIGN KEY (`PhysiologicalFileID`) REFERENCES `physiological_file` (`PhysiologicalFileID`) ON DELETE CASCADE,
  CONSTRAINT `FK_event_file` FOREIGN KEY (`EventFileID`) REFERENCES `physiological_event_file` (`EventFileID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- ---- LORIS's seeded lookup rows ----

INSERT INTO permissions_category VALUES (1, 'Roles'), (2, 'Permission');

INSERT INTO modules (Name, Active) VALUES ('api', 'Y'), ('candidate_list', 'N'), ('electrophysiology_browser', 'N');

INSERT INTO permissions (code, description, moduleID, categoryID) VALUES
  ('superuser', 'Superuser - supersedes all permissions', NULL, 1),
  ('access_all_profiles', 'Candidates and Timepoints - All Sites',
    (SELECT ID FROM modules WHERE Name = 'candidate_list'), 2),
  ('electrophysiology_browser_view_allsites', 'EEGs - All Sites',
    (SELECT ID FROM modules WHERE Name = 'electrophysiology_browser'), 2),
  ('electrophysiology_browser_view_site', 'EEGs - Own Sites',
    (SELECT ID FROM modules WHERE Name = 'electrophysiology_browser'), 2),
  ('electrophysiology_browser_edit_annotations', 'Annotations',
    (SELECT ID FROM modules WHERE Name = 'electrophysiology_browser'), 2);

INSERT INTO ConfigSettings (Name, Description, Visible, AllowMultiple, Label, OrderNumber) VALUES
  ('APIKeys', 'Specify any API keys required for LORIS', 1, 0, 'API Keys', 10),
  ('imaging_pipeline', 'Imaging Pipeline settings', 1, 0, 'Imaging Pipeline', 14);
INSERT INTO ConfigSettings (Name, Description, Visible, AllowMultiple, DataType, Parent, Label, OrderNumber)
  SELECT 'JWTKey', 'Secret key for signing JWT tokens on this server. This should be unique and never shared with anyone. ',
    1, 0, 'text', ID, 'JWT Secret Key', 1 FROM ConfigSettings WHERE Name = 'APIKeys';
INSERT INTO ConfigSettings (Name, Description, Visible, AllowMultiple, DataType, Parent, Label, OrderNumber)
  SELECT 'dataDirBasepath', 'Base Path to the data directory of Loris-MRI', 1, 0, 'text', ID,
    'Loris-MRI Data Directory', 1 FROM ConfigSettings WHERE Name = 'imaging_pipeline';

INSERT INTO ImagingFileTypes (type, description) VALUES
  ('set', 'EEGlab file format (EEG)'),
  ('bdf', 'Biosemi file format (EEG)'),
  ('vhdr', 'Brainvision file format (EEG)'),
  ('vsm', 'BrainStorm file format (EEG)'),
  ('edf', 'European data format (EEG)'),
  ('cnt', 'Neuroscan CNT data format (EEG)'),
  ('ctf', 'CTF data format (MEG)'),
  ('archive', 'Archive file'),
  ('tsv', 'Tab separated values (TSV) file'),
  ('json', 'JSON file');

INSERT INTO physiological_output_type (OutputTypeName, OutputTypeDescription) VALUES
  ('raw', 'raw dataset'),
  ('derivative', 'derivative/processed dataset');

INSERT INTO physiological_modality (PhysiologicalModality) VALUES ('Not registered'), ('eeg'), ('meg'), ('ieeg');

INSERT INTO physiological_status_type (ChannelStatus) VALUES ('good'), ('bad');

INSERT INTO physiological_channel_type (ChannelTypeName, ChannelDescription) VALUES
  ('EEG', 'ElectoEncephaloGram: EEG sensors'), ('VEOG', 'Vertical ElectroOculoGram (eyes)'),
  ('HEOG', 'Horizontal ElectOculoGram'), ('EOG', 'Generic EOG channel, if HEOG or VEOG information not available'),
  ('ECG', 'ElectroCardioGram (heart)'), ('EMG', 'ElectroMyoGram (muscle)'), ('TRIG', 'System Triggers'),
  ('REF', 'Reference electrode'), ('GRD', 'Ground electrode'), ('MISC', 'Miscellaneous'),
  ('MEGMAG', 'MEG magnetometer'), ('MEGGRADAXIAL', 'MEG axial gradiometer'),
  ('MEGGRADPLANAR', 'MEG planar gradiometer'), ('MEGREFMAG', 'MEG reference magnetometer'),
  ('MEGREFGRADAXIAL', 'MEG reference axial gradiometer'), ('MEGREFGRADPLANAR', 'MEG reference planar gradiometer'),
  ('MEGOTHER', 'Any other type of MEG sensor'), ('ECOG', 'Electrode channel: electrocortigogram (intracranial)'),
  ('SEEG', 'Electrode channel: stereo-electroencephalogram (intracranial)'),
  ('DBS', 'Electrode channel: deep brain stimulation (intracranial)'), ('AUDIO', 'Audio signal'),
  ('PD', 'Photodiode'), ('EYEGAZE', 'Eye Tracker gaze'), ('PUPIL', 'Eye Tracker pupil diameter'),
  ('SYSCLOCK', 'System time showing elapsed time since trial started'), ('ADC', 'Analog to Digital input'),
  ('DAC', 'Digital to Analog input'), ('HLU', 'Measure position of head and head coils'),
  ('FITERR', 'Fit error signal from each head localization coil'), ('OTHER', 'Any other type of channel');

INSERT INTO physiological_coord_system_type (Name) VALUES
  ('Not registered'), ('Fiducials'), ('AnatomicalLandmark'), ('HeadCoil'), ('DigitizedHeadPoints');

INSERT INTO physiological_coord_system_name (Name, Orientation, Origin) VALUES
  ('Not registered', NULL, NULL),
  ('ACPC', 'RAS', 'anterior commissure'),
  ('Allen Institute', 'RAS', 'Bregma point'),
  ('Analyze', 'LAS', ''),
  ('BTi/4D', 'ALS', 'between the ears'),
  ('CTF', 'ALS', 'between the ears'),
  ('CTF MRI', 'ALS', 'between the ears'),
  ('CTF gradiometer', 'ALS', 'between the ears'),
  ('CapTrak', 'RAS', 'approximately between the ears'),
  ('Chieti ITAB', 'RAS', 'between the ears'),
  ('DICOM', 'LPS', 'centre of MRI gradient coil'),
  ('EEGLAB', 'ALS', 'between the ears'),
  ('FreeSurfer', 'RAS', 'center of isotropic 1mm 256x256x256 volume'),
  ('MNI', 'RAS', 'anterior commissure'),
  ('NIfTI', 'RAS', ''),
  ('Neuromag/Elekta/Megin', 'RAS', 'between the ears'),
  ('Paxinos-Franklin', 'RSP', 'Bregma point'),
  ('Scanner RAS (scanras)', 'RAS', 'scanner origin'),
  ('Talairach-Tournoux', 'RAS', 'anterior commissure'),
  ('Yokogawa', 'ALS', 'center of device');

INSERT INTO physiological_coord_system_unit (Name, Symbol) VALUES
  ('Not registered', NULL), ('Millimeter', 'mm'), ('Centimeter', 'cm'), ('Meter', 'm');

INSERT INTO physiological_coord_system (NameID, TypeID, UnitID, ModalityID, FilePath) VALUES (
  (SELECT PhysiologicalCoordSystemNameID FROM physiological_coord_system_name WHERE Name = 'Not registered'),
  (SELECT PhysiologicalCoordSystemTypeID FROM physiological_coord_system_type WHERE Name = 'Not registered'),
  (SELECT PhysiologicalCoordSystemUnitID FROM physiological_coord_system_unit WHERE Name = 'Not registered'),
  (SELECT PhysiologicalModalityID FROM physiological_modality WHERE PhysiologicalModality = 'Not registered'),
  NULL);

-- Login history: LORIS's lock-out rule (SinglePointLogin::accountLocked) counts failures here.
CREATE TABLE `user_login_history` (
  `loginhistoryID` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `userID` varchar(255) NOT NULL DEFAULT '',
  `Success` enum('Y','N') NOT NULL DEFAULT 'Y',
  `Failcode` varchar(2) DEFAULT NULL,
  `Fail_detail` varchar(255) DEFAULT NULL,
  `Login_timestamp` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  `IP_address` varchar(255) DEFAULT NULL,
  `Page_requested` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`loginhistoryID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- ---- The uploads module (issue 15): LORIS's upload, pipeline-process and notification tables ----
-- aces/Loris SQL/0000-00-00-schema.sql (tarchive, mri_upload, notification_types, notification_spool,
-- server_processes, mri_upload_server_processes_rel) and 0000-00-05-ElectrophysiologyTables.sql
-- (electrophysiology_uploader), main of 2026-06-29, with the modules, permissions and Config settings LORIS seeds
-- for them (0000-00-01-Modules.sql, 0000-00-02-Permission.sql, 0000-00-03-ConfigTables.sql).

CREATE TABLE `electrophysiology_uploader` (
    `UploadID` int(10) unsigned NOT NULL AUTO_INCREMENT,
    `UploadedBy` varchar(255) NOT NULL,
    `UploadDate` DateTime NOT NULL DEFAULT CURRENT_TIMESTAMP,
    `UploadLocation` varchar(255) NOT NULL,
    `Status` enum('Not Started', 'Extracted', 'Failed Extraction', 'In Progress', 'Complete', 'Failed', 'Archived') DEFAULT 'Not Started',
    `SessionID` int(10) unsigned,
    `Checksum` varchar(40) DEFAULT NULL,
    `MetaData` TEXT DEFAULT NULL,
    PRIMARY KEY (`UploadID`),
    KEY (`SessionID`),
    CONSTRAINT `FK_eegupload_SessionID`
        FOREIGN KEY (`SessionID`) REFERENCES `session` (`ID`),
    CONSTRAINT `FK_eegupload_UploadedBy`
        FOREIGN KEY (`UploadedBy`) REFERENCES `users` (`UserID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `tarchive` (
  `DicomArchiveID` varchar(255) NOT NULL default '',
  `PatientID` varchar(255) NOT NULL default '',
  `PatientName` varchar(255) NOT NULL default '',
  `PatientDoB` date default NULL,
  `PatientSex` varchar(255) default NULL,
  `neurodbCenterName` varchar(255) default NULL,
  `CenterName` varchar(255) NOT NULL default '',
  `LastUpdate` datetime default NULL,
  `DateAcquired` date default NULL,
  `DateFirstArchived` datetime default NULL,
  `DateLastArchived` datetime default NULL,
  `AcquisitionCount` int(11) NOT NULL default 0,
  `NonDicomFileCount` int(11) NOT NULL default 0,
  `DicomFileCount` int(11) NOT NULL default 0,
  `md5sumDicomOnly` varchar(255) default NULL,
  `md5sumArchive` varchar(255) default NULL,
  `CreatingUser` varchar(255) NOT NULL default '',
  `sumTypeVersion` tinyint(4) NOT NULL default 0,
  `tarTypeVersion` tinyint(4) default NULL,
  `SourceLocation` varchar(255) NOT NULL default '',
  `ArchiveLocation` varchar(255) default NULL,
  `ScannerManufacturer` varchar(255) NOT NULL default '',
  `ScannerModel` varchar(255) NOT NULL default '',
  `ScannerSerialNumber` varchar(255) NOT NULL default '',
  `ScannerSoftwareVersion` varchar(255) NOT NULL default '',
  `SessionID` int(10) unsigned default NULL,
  `uploadAttempt` tinyint(4) NOT NULL default 0,
  `CreateInfo` text,
  `AcquisitionMetadata` longtext NOT NULL,
  `TarchiveID` int(11) NOT NULL auto_increment,
  `DateSent` datetime DEFAULT NULL,
  `PendingTransfer` tinyint(1) NOT NULL DEFAULT 0,
  PRIMARY KEY  (`TarchiveID`),
  KEY `SessionID` (`SessionID`),
  CONSTRAINT `FK_tarchive_sessionID`
    FOREIGN KEY (`SessionID`) REFERENCES `session` (`ID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `mri_upload` (
  `UploadID` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `UploadedBy` varchar(255) NOT NULL DEFAULT '',
  `UploadDate` DateTime DEFAULT NULL,
  `UploadLocation` varchar(255) NOT NULL DEFAULT '',
  `DecompressedLocation` varchar(255) NOT NULL DEFAULT '',
  `InsertionComplete` tinyint(1) NOT NULL DEFAULT 0,
  `Inserting` tinyint(1) DEFAULT NULL,
  `PatientName` varchar(255) NOT NULL DEFAULT '',
  `number_of_mincInserted` int(11) DEFAULT NULL,
  `number_of_mincCreated` int(11) DEFAULT NULL,
  `TarchiveID` int(11) DEFAULT NULL,
  `SessionID` int(10) unsigned DEFAULT NULL,
  `IsCandidateInfoValidated` tinyint(1) DEFAULT NULL,
  `IsTarchiveValidated` tinyint(1) NOT NULL DEFAULT 0,
  `IsPhantom` enum('N','Y') NOT NULL DEFAULT 'N',
  PRIMARY KEY (`UploadID`),
  KEY (`SessionID`),
  KEY (`TarchiveID`),
  CONSTRAINT `FK_mriupload_SessionID`
    FOREIGN KEY (`SessionID`) REFERENCES `session` (`ID`),
  CONSTRAINT `FK_mriupload_TarchiveID`
    FOREIGN KEY (`TarchiveID`) REFERENCES `tarchive` (`TarchiveID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `notification_types` (
  `NotificationTypeID` int(11) NOT NULL auto_increment,
  `Type` varchar(255) NOT NULL default '',
  `private` tinyint(1) default 0,
  `Description` text,
  PRIMARY KEY  (`NotificationTypeID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

INSERT INTO `notification_types` (Type,private,Description) VALUES
    ('mri new study',0,'New studies processed by the MRI upload handler'),
    ('mri new series',0,'New series processed by the MRI upload handler'),
    ('mri upload handler emergency',1,'MRI upload handler emergencies'),
    ('mri staging required',1,'New studies received by the MRI upload handler that require staging'),
    ('mri invalid study',0,'Incorrectly labelled studies received by the MRI upload handler'),
    ('hardcopy request',0,'Hardcopy requests'),
    ('visual bvl qc',0,'Timepoints selected for visual QC'),
    ('mri qc status',0,'MRI QC Status change'),
    ('minc insertion',1,'Insertion of a MINC file into the MRI tables (files/parameter_file)'),
    ('tarchive loader',1,'calls specific Insertion Scripts'),
    ('tarchive validation',1,'Validation of the dicoms After uploading'),
    ('mri upload runner',1,'Validation of DICOMS before uploading'),
    ('mri upload processing class',1,'Validation and execution of DicomTar.pl and TarchiveLoader');

CREATE TABLE `notification_spool` (
  `NotificationID` int(11) NOT NULL auto_increment,
  `NotificationTypeID` int(11) NOT NULL,
  `ProcessID` int(11) DEFAULT NULL,
  `TimeSpooled` datetime DEFAULT NULL,
  `Message` text,
  `Error` enum('Y','N') default NULL,
  `Verbose` enum('Y','N') NOT NULL DEFAULT 'N',
  `Sent` enum('N','Y') NOT NULL default 'N',
  `CenterID` integer unsigned default NULL,
  `Origin` varchar(255) DEFAULT NULL,
  `Active` enum('Y', 'N') NOT NULL DEFAULT 'Y',
  PRIMARY KEY  (`NotificationID`),
  KEY `FK_notification_spool_1` (`NotificationTypeID`),
  KEY `FK_notification_spool_2` (`CenterID`),
  CONSTRAINT `FK_notification_spool_2` FOREIGN KEY (`CenterID`) REFERENCES `psc` (`CenterID`),
  CONSTRAINT `FK_notification_spool_1` FOREIGN KEY (`NotificationTypeID`) REFERENCES `notification_types` (`NotificationTypeID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `server_processes` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `pid` int(11) unsigned NOT NULL,
  `type` enum('mri_upload') NOT NULL,
  `stdout_file` varchar(255) DEFAULT NULL,
  `stderr_file` varchar(255) DEFAULT NULL,
  `exit_code_file` varchar(255) DEFAULT NULL,
  `exit_code` varchar(255) DEFAULT NULL,
  `userid` varchar(255) NOT NULL,
  `start_time` timestamp NULL DEFAULT NULL,
  `end_time` timestamp NULL DEFAULT NULL,
  `exit_text` text,
  PRIMARY KEY (`id`),
  KEY `FK_task_1` (`userid`),
  CONSTRAINT `FK_task_1` FOREIGN KEY (`userid`) REFERENCES `users` (`UserID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `mri_upload_server_processes_rel` (
  `UploadID` int(10) unsigned NOT NULL,
  `ProcessID` int(10) unsigned NOT NULL,
  PRIMARY KEY (`UploadID`,`ProcessID`),
  CONSTRAINT `UK_mri_upload_server_processes_rel_ProcessID`
    UNIQUE KEY `ProcessID` (`ProcessID`),
  CONSTRAINT `FK_mri_upload_server_processes_rel_UploadID`
    FOREIGN KEY (`UploadID`) REFERENCES `mri_upload` (`UploadID`),
  CONSTRAINT `FK_mri_upload_server_processes_rel_ProcessID`
    FOREIGN KEY (`ProcessID`) REFERENCES `server_processes` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

INSERT INTO modules (Name, Active) VALUES
  ('imaging_uploader', 'N'), ('server_processes_manager', 'N'), ('electrophysiology_uploader', 'N');

INSERT INTO permissions (code, description, moduleID, categoryID) VALUES
  ('server_processes_manager', 'Processes', (SELECT ID FROM modules WHERE Name = 'server_processes_manager'), 2),
  ('imaging_uploader_allsites', 'Imaging Scans - All Sites', (SELECT ID FROM modules WHERE Name = 'imaging_uploader'), 2),
  ('monitor_eeg_uploads', 'Monitor EEG uploads', (SELECT ID FROM modules WHERE Name = 'electrophysiology_uploader'), 2),
  ('imaging_uploader_ownsites', 'Imaging Scans - Own Sites', (SELECT ID FROM modules WHERE Name = 'imaging_uploader'), 2),
  ('imaging_uploader_nosessionid', 'Imaging Scans with no session ID', (SELECT ID FROM modules WHERE Name = 'imaging_uploader'), 2);

INSERT INTO ConfigSettings (Name, Description, Visible, AllowMultiple, Label, OrderNumber) VALUES
  ('study', 'Settings related to details of the study', 1, 0, 'Study', 1),
  ('imaging_modules', 'DICOM Archive and Imaging Browser settings', 1, 0, 'Imaging Modules', 6),
  ('eeg_pipeline', 'EEG Pipeline settings', 1, 0, 'EEG Pipeline', 15);
INSERT INTO ConfigSettings (Name, Description, Visible, AllowMultiple, DataType, Parent, Label, OrderNumber) SELECT 'ImagingUploaderAutoLaunch', "Allows running the ImagingUpload pre-processing scripts", 1, 0, 'boolean', ID, 'ImagingUploader Auto Launch',24 FROM ConfigSettings WHERE Name="study";
INSERT INTO ConfigSettings (Name, Description, Visible, AllowMultiple, DataType, Parent, Label, OrderNumber) SELECT 'useAdvancedPermissions', 'Restricts access to data based on both sites and projects and require a special permission to access data not affiliated to a session (SessionID null). Keeping this setting to NO should ensure backwards compatibility (access to all data when module loads)', 1, 0, 'boolean', ID, 'Use Advanced Permissions', 6 FROM ConfigSettings WHERE Name="imaging_modules";
INSERT INTO ConfigSettings (Name, Description, Visible, AllowMultiple, DataType, Parent, Label, OrderNumber) SELECT 'MriConfigFile', 'Name of the Perl MRI config file (stored in dicom-archive/.loris_mri/)', 1, 0, 'text', ID, 'Name of the Perl MRI config file', 23 FROM ConfigSettings WHERE Name="imaging_pipeline";
INSERT INTO ConfigSettings (Name, Description, Visible, AllowMultiple, DataType, Parent, Label, OrderNumber) SELECT 'EnvironmentFile', 'Name of the environment file that need to be sourced for the imaging pipeline', 1, 0, 'text', ID, 'Name of the environment file', 24 FROM ConfigSettings WHERE Name="imaging_pipeline";
INSERT INTO ConfigSettings (Name, Description, Visible, AllowMultiple, DataType, Parent, Label, OrderNumber) SELECT 'MRICodePath', 'Path to directory where Loris-MRI (git) code is installed', 1, 0, 'text', ID, 'LORIS-MRI code', 6 FROM ConfigSettings WHERE Name="imaging_pipeline";
INSERT INTO ConfigSettings (Name, Description, Visible, AllowMultiple, DataType, Parent, Label, OrderNumber) SELECT 'MRIUploadIncomingPath', 'Path to the upload directory for incoming MRI studies', 1, 0, 'text', ID, 'MRI Incoming Directory', 7 FROM ConfigSettings WHERE Name="imaging_pipeline";
INSERT INTO ConfigSettings (Name, Description, Visible, AllowMultiple, DataType, Parent, Label, OrderNumber) SELECT 'EEGUploadIncomingPath', 'Path to the upload directory for incoming EEG studies', 1, 0, 'text', ID, 'EEG Incoming Directory', 7 FROM ConfigSettings WHERE Name="eeg_pipeline";

INSERT INTO Config (ConfigID, Value) SELECT ID, 0 FROM ConfigSettings WHERE Name="ImagingUploaderAutoLaunch";
INSERT INTO Config (ConfigID, Value) SELECT ID, "/data/%PROJECTNAME%/bin/mri/" FROM ConfigSettings WHERE Name="MRICodePath";
INSERT INTO Config (ConfigID, Value) SELECT ID, "/data/incoming/" FROM ConfigSettings WHERE Name="MRIUploadIncomingPath";
INSERT INTO Config (ConfigID, Value) SELECT ID, "false" FROM ConfigSettings WHERE Name="useAdvancedPermissions";
INSERT INTO Config (ConfigID, Value) SELECT ID, 'prod' FROM ConfigSettings cs WHERE cs.Name="mriConfigFile";
INSERT INTO Config (ConfigID, Value) SELECT ID, 'environment' FROM ConfigSettings cs WHERE cs.Name="EnvironmentFile";
