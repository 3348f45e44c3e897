-- MEEGqc and BIDS tables for tests, loaded after loris-schema.sql (test/helpers/meegqc-world.ts). Written from
-- the reference page (shared/reference/loris-imaging-contract.md §1.1-1.4): bids_dataset and bids_file as the
-- BIDS patch defines them; meegqc_file and meegqc_file_acquisition as LORIS-MRI's ORM describes them (no
-- published DDL: LORIS conventions, INT(10) UNSIGNED ids, VARCHAR(255) Category).

CREATE TABLE `bids_dataset` (
  `ID` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
  `Path` VARCHAR(255) NOT NULL,
  `InsertTime` DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  `UpdateTime` DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (`ID`),
  UNIQUE KEY `bids_dataset_path_unique` (`Path`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `bids_file` (
  `ID` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
  `DatasetID` INT(10) UNSIGNED NOT NULL,
  `Path` VARCHAR(255) NOT NULL,
  `SourcePath` VARCHAR(255) NULL,
  `InsertTime` DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  `Blake2bHash` CHAR(128) NOT NULL,
  `Derivative` TINYINT(1) NOT NULL,
  PRIMARY KEY (`ID`),
  UNIQUE KEY `bids_file_dataset_id_path_unique` (`DatasetID`, `Path`),
  KEY `bids_file_dataset_id_fk_idx` (`DatasetID`),
  CONSTRAINT `bids_file_dataset_id_fk` FOREIGN KEY (`DatasetID`) REFERENCES `bids_dataset` (`ID`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `meegqc_file` (
  `ID` INT(10) UNSIGNED NOT NULL AUTO_INCREMENT,
  `BidsFileID` INT(10) UNSIGNED NOT NULL,
  `Category` VARCHAR(255) NOT NULL,
  PRIMARY KEY (`ID`),
  UNIQUE KEY `meegqc_file_bids_file_id_unique` (`BidsFileID`),
  CONSTRAINT `meegqc_file_bids_file_id_fk` FOREIGN KEY (`BidsFileID`) REFERENCES `bids_file` (`ID`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `meegqc_file_acquisition` (
  `MeegqcFileID` INT(10) UNSIGNED NOT NULL,
  `AcquisitionFileID` INT(10) UNSIGNED NOT NULL,
  PRIMARY KEY (`MeegqcFileID`, `AcquisitionFileID`),
  CONSTRAINT `meegqc_file_acquisition_file_fk` FOREIGN KEY (`MeegqcFileID`) REFERENCES `meegqc_file` (`ID`) ON DELETE CASCADE,
  CONSTRAINT `meegqc_file_acquisition_acq_fk` FOREIGN KEY (`AcquisitionFileID`) REFERENCES `physiological_file` (`PhysiologicalFileID`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
